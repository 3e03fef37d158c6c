/** Process-tree memory, free ports, waiting for HTTP and stopping what the bench started. */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { childPids, procCpuMs } from '../../../libs/local-cloud/src/runner/host/process-cpu';

export const LOOPBACK = '127.0.0.1';

export interface ProcessMemory {
  pid: number;
  ppid: number;
  name: string;
  rssMb: number;
}

export interface TreeMemory {
  totalMb: number;
  processes: ProcessMemory[];
}

const HAS_PROC = existsSync('/proc/self/status');

function readStatus(pid: number): { name: string; ppid: number; rssKb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (key: string) => new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
    // Zombies and kernel threads have no VmRSS: they hold no memory of their own.
    const rssKb = Number((field('VmRSS') ?? '0 kB').split(/\s+/)[0]);
    return { name: field('Name') ?? '?', ppid: Number(field('PPid') ?? 0), rssKb };
  } catch {
    return undefined; // exited meanwhile
  }
}

/** Direct children of pid (every thread's children, so worker threads' spawns count too). */
function childrenOf(pid: number): number[] {
  if (HAS_PROC) return childPids(pid);
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => Number(line.trim()))
      .filter((child) => child > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** pid and all its descendants, parents first. */
export function processTree(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (out.includes(next)) continue;
    out.push(next);
    queue.push(...childrenOf(next));
  }
  return out.filter((p) => isAlive(p));
}

/** Sum of resident memory (VmRSS) over a process tree; worker threads share their process's RSS. */
export function treeMemory(pid: number): TreeMemory {
  const processes: ProcessMemory[] = [];
  for (const member of processTree(pid)) {
    if (HAS_PROC) {
      const status = readStatus(member);
      if (status)
        processes.push({ pid: member, ppid: status.ppid, name: status.name, rssMb: status.rssKb / 1024 });
    } else {
      try {
        const [ppid = '0', rss = '0', ...comm] = execFileSync(
          'ps',
          ['-o', 'ppid=,rss=,comm=', '-p', String(member)],
          {
            encoding: 'utf8',
          },
        )
          .trim()
          .split(/\s+/);
        processes.push({ pid: member, ppid: Number(ppid), name: comm.join(' '), rssMb: Number(rss) / 1024 });
      } catch {
        // exited meanwhile
      }
    }
  }
  return { totalMb: processes.reduce((sum, p) => sum + p.rssMb, 0), processes };
}

/** CPU seconds (user + system, all threads) used so far by each live process of a tree, summed. */
export function treeCpuSeconds(pid: number): number {
  if (!HAS_PROC) return Number.NaN;
  let ms = 0;
  for (const member of processTree(pid)) ms += procCpuMs(member) ?? 0; // undefined: exited meanwhile
  return ms / 1000;
}

/** Samples a tree's memory every intervalMs until stopped; returns the sample with the largest total. */
export function sampleTreeMemory(pid: number, intervalMs = 500): { stop(): TreeMemory } {
  let peak: TreeMemory = treeMemory(pid);
  const timer = setInterval(() => {
    const sample = treeMemory(pid);
    if (sample.totalMb > peak.totalMb) peak = sample;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const last = treeMemory(pid);
      return last.totalMb > peak.totalMb ? last : peak;
    },
  };
}

export function isAlive(pid: number): boolean {
  if (HAS_PROC) {
    try {
      // A zombie has exited; it only waits for its parent to reap it.
      return !/^State:\s*Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Start time of a process (clock ticks since boot), to tell a pid from a later reuse of it. */
export function startTimeOf(pid: number): string | undefined {
  if (!HAS_PROC) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls url every intervalMs until it answers `status`; resolves with the time it took. Rejects after
 * timeoutMs or when `child` exits first.
 */
export async function waitForHttp(
  url: string,
  options: {
    status?: number;
    intervalMs?: number;
    timeoutMs: number;
    child?: ChildProcess;
    output?: () => string;
  },
): Promise<number> {
  const started = performance.now();
  const expected = options.status ?? 200;
  for (;;) {
    if (options.child && (options.child.exitCode !== null || options.child.signalCode !== null)) {
      throw new Error(
        `process exited (code ${options.child.exitCode}, signal ${options.child.signalCode}) before ${url} answered:\n${tail(options.output?.())}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === expected) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > options.timeoutMs) {
      throw new Error(
        `${url} did not answer ${expected} within ${options.timeoutMs} ms:\n${tail(options.output?.())}`,
      );
    }
    await sleep(options.intervalMs ?? 50);
  }
}

export function tail(text: string | undefined, chars = 3_000): string {
  if (!text) return '(no output)';
  return text.length > chars ? `...${text.slice(-chars)}` : text;
}

export interface Spawned {
  child: ChildProcess;
  /** What the process printed so far (stdout and stderr). */
  output(): string;
}

/**
 * Starts a server in its own process group (so it and everything it spawns can be stopped by its id).
 * Its output goes to logPath, not through a pipe the bench would have to drain while it also
 * generates load on the same cores; with `echo` it is piped to this terminal instead.
 */
export function spawnServer(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; logPath: string; echo?: boolean },
): Spawned {
  if (options.echo) {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 1_000_000) output = output.slice(-500_000);
      process.stderr.write(chunk);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    return { child, output: () => output };
  }
  const fd = openSync(options.logPath, 'w');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', fd, fd],
    });
    return {
      child,
      output: () => {
        try {
          return readFileSync(options.logPath, 'utf8');
        } catch {
          return '';
        }
      },
    };
  } finally {
    closeSync(fd); // the child has its own copy
  }
}

/** Resolves when the child has exited (immediately if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Stops a child the bench started in its own process group (spawned with detached: true): signal to
 * the group, then SIGKILL to the group and to any descendant that left it, after graceMs.
 */
export async function stopGroup(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 10_000,
): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const members = processTree(pid);
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // group gone
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    send(signal);
    await Promise.race([exited(child), sleep(graceMs)]);
  }
  send('SIGKILL');
  for (const member of members) {
    if (member !== process.pid && isAlive(member)) {
      try {
        process.kill(member, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
  await exited(child);
}
