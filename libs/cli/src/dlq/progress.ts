/**
 * The replay's progress bar (cli-progress), drawn on stderr and only when stderr is a terminal, so
 * `--json` output and pipes stay clean.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface ProgressBar {
  start(total: number): void;
  update(done: number, counts: { moved: number; skipped: number; failed: number }): void;
  stop(): void;
}

const none: ProgressBar = { start: () => undefined, update: () => undefined, stop: () => undefined };

export function progressBar(enabled: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!enabled || !stream.isTTY) return none;
  const bar = new SingleBar(
    {
      stream,
      format:
        ' {bar} {value}/{total} examined | moved {moved}, skipped {skipped}, failed {failed} | {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  let total = 0;
  return {
    start(initial) {
      total = Math.max(1, initial);
      bar.start(total, 0, { moved: 0, skipped: 0, failed: 0 });
    },
    update(done, counts) {
      // The depth was an estimate: messages may arrive while the replay runs.
      if (done > total) {
        total = done;
        bar.setTotal(total);
      }
      bar.update(done, counts);
    },
    stop: () => bar.stop(),
  };
}
