import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DevInfo } from './dev-info';
import { repoRoot } from './repo-root';

export type { DevInfo, DemoTenant, AlarmState } from './dev-info';
export type { Endpoints } from './types';
export { findRepoRoot, repoRoot } from './repo-root';

export interface StartLocalCloudOptions {
  /** Service folders to run instead of those listed in serverless-compose.yml (tests use fixtures). */
  serviceDirs?: string[];
  /** Names from serverless-compose.yml to run; default all of them. */
  services?: string[];
  /** API gateway port; 0 (the default here) picks a free one. */
  port?: number;
  stage?: string;
  /** Where dev.json, persisted data and build caches go; default a fresh folder per cloud under .switchyard/tests. */
  stateDir?: string;
  persist?: boolean;
  /** Extra environment for the cloud process (e.g. SWITCHYARD_LOG_LEVEL). */
  env?: NodeJS.ProcessEnv;
  /** Forward the cloud's output to this process's stdout/stderr (default: only on failure). */
  verbose?: boolean;
  timeoutMs?: number;
}

export interface RunningLocalCloud extends DevInfo {
  /** Stops every emulator, worker and listener; resolves when the cloud process has exited. */
  stop(): Promise<void>;
  /** What the cloud process printed so far (for debugging a failed test). */
  output(): string;
}

/**
 * Starts an isolated local cloud in its own process (the same program as `npm start`) and resolves
 * once it is ready. Each integration or e2e suite starts one in beforeAll and stops it in afterAll.
 */
export function startLocalCloud(options: StartLocalCloudOptions = {}): Promise<RunningLocalCloud> {
  const root = repoRoot();
  const args = [join(root, 'libs', 'local-cloud', 'launcher.cjs')];
  args.push('--port', String(options.port ?? 0));
  if (options.stage) args.push('--stage', options.stage);
  const stateDir =
    options.stateDir ?? join(root, '.switchyard', 'tests', `${process.pid}-${Date.now().toString(36)}`);
  args.push('--state-dir', stateDir);
  if (options.persist) args.push('--persist');
  for (const dir of options.serviceDirs ?? []) args.push('--service-dir', dir);
  for (const name of options.services ?? []) args.push('--service', name);

  // Node 22 is needed; under npm scripts process.execPath already is (node@22 devDependency).
  const nodeBin =
    Number(process.versions.node.split('.')[0]) >= 22
      ? process.execPath
      : join(root, 'node_modules', '.bin', 'node');
  const child = spawn(nodeBin, args, {
    cwd: root,
    env: { ...process.env, ...options.env, SWITCHYARD_CHILD: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const collect = (stream: NodeJS.WriteStream) => (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    if (options.verbose) stream.write(chunk);
  };
  child.stdout?.on('data', collect(process.stdout));
  child.stderr?.on('data', collect(process.stderr));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(killer);
  };

  return new Promise((resolveReady, rejectReady) => {
    const timer = setTimeout(() => {
      void stop();
      rejectReady(
        new Error(`local cloud not ready within ${options.timeoutMs ?? 120_000} ms:\n${output.slice(-4000)}`),
      );
    }, options.timeoutMs ?? 120_000);
    child.on('message', (message: { type?: string; info?: DevInfo; error?: string }) => {
      if (message.type === 'ready' && message.info) {
        clearTimeout(timer);
        resolveReady({ ...message.info, stop, output: () => output });
      } else if (message.type === 'failed') {
        clearTimeout(timer);
        void stop();
        rejectReady(new Error(`local cloud failed to start: ${message.error}\n${output.slice(-4000)}`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      rejectReady(
        new Error(
          `local cloud exited (code ${code}, signal ${signal}) before ready:\n${output.slice(-4000)}`,
        ),
      );
    });
  });
}
export { bearerRequest, busQueue, eventually, tapBus, LOCAL_CREDENTIALS } from './testing';
export type { ApiResponse, BusEnvelope, BusQueue, BusTap } from './testing';
