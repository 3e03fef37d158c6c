/**
 * A line logger for the local cloud's own output (one line per request, poll and alarm). Writing to
 * a pipe is a synchronous system call per write on Linux; lines are joined and written once per
 * turn of the event loop instead, which keeps the gateway's per-request cost low under load. Lines
 * still pending when the process exits are written then.
 */
export function createLineLog(
  prefix: string,
  write: (text: string) => void = (text) => process.stdout.write(text),
): ((line: string) => void) & { flush(): void } {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const text = `${pending.join('\n')}\n`;
    pending = [];
    write(text);
  };
  process.once('exit', flush);
  const log = (line: string) => {
    pending.push(`${prefix}${line}`);
    if (pending.length === 1) setImmediate(flush);
  };
  return Object.assign(log, { flush });
}
