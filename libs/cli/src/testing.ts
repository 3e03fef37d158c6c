// Helpers for suites that drive `switchyard` in process, as `npx switchyard` would run it.
import type { ApiDeps } from './api';
import type { DlqDeps } from './commands/dlq';
import type { CreatedKey } from './commands/keys';
import { main } from './main';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `switchyard ...args` in this process: its exit code and what it printed on stdout and stderr. */
export async function runCli(args: string[], deps: ApiDeps & DlqDeps = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main(
    ['node', 'switchyard', ...args],
    (text) => (out += text),
    (text) => (err += text),
    deps,
  );
  return { code, out, err };
}

/** `switchyard ...args --json`, parsed; throws with what it printed on stderr when it exits non-zero. */
export async function runCliJson<T>(args: string[], deps: ApiDeps & DlqDeps = {}): Promise<T> {
  const { code, out, err } = await runCli([...args, '--json'], deps);
  if (code !== 0) throw new Error(`switchyard ${args.join(' ')} exited ${code}: ${err}`);
  return JSON.parse(out) as T;
}

/** `switchyard keys create --tenant T --role R [--email E] --json`: the key, its plaintext included. */
export function createKey(
  tenantId: string,
  role: string,
  options: { email?: string; deps?: ApiDeps } = {},
): Promise<CreatedKey> {
  const owner = options.email ? ['--email', options.email] : [];
  return runCliJson<CreatedKey>(
    ['keys', 'create', '--tenant', tenantId, '--role', role, ...owner],
    options.deps,
  );
}

/**
 * Points the CLI at a local cloud's dev.json (SWITCHYARD_DEV_JSON), as `npx switchyard` finds a
 * running `npm start`; returns what puts the previous value back (for afterAll).
 */
export function useDevJson(path: string): () => void {
  const saved = process.env.SWITCHYARD_DEV_JSON;
  process.env.SWITCHYARD_DEV_JSON = path;
  return () => {
    if (saved === undefined) delete process.env.SWITCHYARD_DEV_JSON;
    else process.env.SWITCHYARD_DEV_JSON = saved;
  };
}
