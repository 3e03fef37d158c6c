// The local cloud's CPU clock for the worker pool's saturation test: its own threads plus its
// running child processes (DynamoDB Local's JVM), read from Linux's /proc.
import { spawn } from 'node:child_process';
import { childPids, procCpuMs, processTreeCpuMs } from '../../../src/runner/host/process-cpu';

const onLinux = process.platform === 'linux' ? it : it.skip;

describe('procCpuMs', () => {
  it('reads user and system ticks after a command name holding spaces and parentheses', () => {
    const stat = '4242 (java (db) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 150 25 0 0 20 0 30 0';
    expect(procCpuMs(4242, () => stat)).toBe(1750);
  });

  it('is undefined for a process it cannot read', () => {
    expect(
      procCpuMs(1, () => {
        throw new Error('ENOENT');
      }),
    ).toBeUndefined();
  });
});

describe('processTreeCpuMs', () => {
  onLinux('counts the CPU a running child process uses', async () => {
    // A child that spins until it has used 600 ms of CPU, says so, then waits to be killed.
    const child = spawn(process.execPath, [
      '-e',
      "while (process.cpuUsage().user < 600000); console.log('spun'); setInterval(() => {}, 1000);",
    ]);
    try {
      const before = processTreeCpuMs();
      const ownBefore = process.cpuUsage();
      await new Promise((resolve) => child.stdout.once('data', resolve));
      const own = process.cpuUsage(ownBefore);
      const grew = processTreeCpuMs() - before;
      expect(childPids(process.pid)).toContain(child.pid);
      // The child's spin (600 ms of CPU, a little of it perhaps before the first reading) besides
      // this process's own time, which the wait barely uses.
      expect(grew - (own.user + own.system) / 1000).toBeGreaterThan(400);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
