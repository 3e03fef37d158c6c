/**
 * At most N operations per second: each `take()` waits until 1/N s after the previous one started.
 * No bursts, so a consumer recovering from an incident never sees more than the rate asked for.
 */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    }),
};

export class RateLimiter {
  private next = 0;
  private readonly intervalMs: number;

  constructor(
    perSecond: number,
    private readonly clock: Clock = realClock,
  ) {
    if (!(perSecond > 0) || !Number.isFinite(perSecond))
      throw new Error(`rate must be a positive number, not ${perSecond}`);
    this.intervalMs = 1000 / perSecond;
  }

  /** Waits for the next slot; false when `signal` aborted first (the slot is not used). */
  async take(signal?: AbortSignal): Promise<boolean> {
    const now = this.clock.now();
    const at = Math.max(now, this.next);
    if (at > now) await this.clock.sleep(at - now, signal);
    if (signal?.aborted) return false;
    this.next = Math.max(this.clock.now(), at) + this.intervalMs;
    return true;
  }
}
