// Starts harness.ts in a child Node process (see there for why) and waits for its ready line.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../../src/repo-root';
import type { Endpoints } from '../../../src/types';

export interface Harness {
  child: ChildProcessWithoutNullStreams;
  endpoints: Endpoints;
  control: string;
  mailboxUrl: string;
  pids: { node: number; dynamodb: number };
  ports: Record<string, number>;
  call<T>(path: string, body?: unknown): Promise<T>;
  /** Closes the child's stdin, which makes it stop everything and exit; resolves on exit. */
  stop(): Promise<void>;
}

const root = repoRoot();

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const child = spawn(process.execPath, [join(root, 'scripts/run-ts.mjs'), join(__dirname, 'harness.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const ready = await new Promise<Omit<Harness, 'child' | 'call' | 'stop'>>((resolveReady, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`harness did not start:\n${stderr}`)), 90000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) {
        clearTimeout(timer);
        resolveReady((JSON.parse(line) as { ready: Omit<Harness, 'child' | 'call' | 'stop'> }).ready);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`harness exited with ${code}:\n${stderr}`));
    });
  });
  const call = async <T>(path: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${ready.control}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await response.json()) as T & { error?: string };
    if (!response.ok) throw new Error(json.error ?? `harness answered ${response.status}`);
    return json;
  };
  return {
    ...ready,
    child,
    call,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}
