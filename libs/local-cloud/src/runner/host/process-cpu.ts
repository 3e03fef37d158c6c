import { readdirSync, readFileSync } from 'node:fs';

/** Linux reports a process's CPU time in clock ticks of 1/100 s (USER_HZ) whatever the kernel's HZ. */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system) of a running process from Linux's /proc, in ms; undefined when unreadable. */
export function procCpuMs(pid: number, readText: (path: string) => string = readUtf8): number | undefined {
  try {
    const stat = readText(`/proc/${pid}/stat`);
    // Fields after the command name, which is in parentheses and may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / TICKS_PER_SECOND : undefined;
  } catch {
    return undefined;
  }
}

/** The running child processes of `pid` (those any of its threads started), from /proc; [] elsewhere. */
export function childPids(pid: number): number[] {
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const found = new Set<number>();
  for (const thread of threads) {
    try {
      const text = readUtf8(`/proc/${pid}/task/${thread}/children`).trim();
      for (const child of text ? text.split(/\s+/) : []) found.add(Number(child));
    } catch {
      // The thread ended meanwhile (a worker retired).
    }
  }
  return [...found];
}

/**
 * CPU time of this process and of its running child processes, in ms: the local cloud's own work
 * includes DynamoDB Local's JVM and esbuild's service. Only this process's on systems without /proc.
 */
export function processTreeCpuMs(): number {
  let children = 0;
  for (const pid of childPids(process.pid)) children += procCpuMs(pid) ?? 0;
  return ownCpuMs() + children;
}

/** CPU time of this process (all its threads), in ms. */
export function ownCpuMs(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1000;
}

function readUtf8(path: string): string {
  return readFileSync(path, 'utf8');
}
