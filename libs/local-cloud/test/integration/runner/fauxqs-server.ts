/**
 * Runs the local cloud's fauxqs (ESM-only, which jest cannot import) in its own process for the
 * tests, started as the local cloud starts it (127.0.0.1, SQS's character rules).
 * Prints `{"address": ...}` once listening; exits when its parent closes stdin.
 */
import { startFauxqs } from '../../../src/emulators/fauxqs';

async function main(): Promise<void> {
  const server = await startFauxqs({});
  process.stdout.write(`${JSON.stringify({ address: server.endpoint })}\n`);
  const stop = () => void server.stop().finally(() => process.exit(0));
  process.stdin.on('end', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
}

void main();
