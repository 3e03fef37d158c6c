/**
 * Runs fauxqs (ESM-only, which jest cannot import) in its own process for the runner's tests.
 * Prints `{"address": ...}` once listening; exits when its parent closes stdin.
 */
interface Fauxqs {
  startFauxqs(options: {
    port: number;
    logger: boolean;
  }): Promise<{ address: string; stop(): Promise<void> }>;
}

async function main(): Promise<void> {
  const { startFauxqs } = (await import('fauxqs' as string)) as Fauxqs;
  const server = await startFauxqs({ port: 0, logger: false });
  process.stdout.write(`${JSON.stringify({ address: server.address })}\n`);
  const stop = () => void server.stop().finally(() => process.exit(0));
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

void main();
