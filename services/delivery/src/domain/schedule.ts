/**
 * The retry schedule: waits before each scheduled attempt, spread by jitter, and
 * the `Retry-After` a receiver may ask for with 429 or 503. Pure: randomness and the clock are
 * passed in.
 */

/** The default: at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (eight attempts). */
export const DEFAULT_RETRY_SCHEDULE_SECONDS = [0, 5, 300, 1800, 7200, 18000, 36000, 36000] as const;

/** A receiver cannot push an attempt further than this with Retry-After. */
export const MAX_RETRY_AFTER_SECONDS = 24 * 60 * 60;

/** The longest wait one schedule entry may ask for (a week). */
const MAX_WAIT_SECONDS = 7 * 24 * 60 * 60;

/** `"0,5,300"` → `[0, 5, 300]`; throws on anything but 1–50 whole numbers of seconds. */
export function parseRetrySchedule(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length === 0 || parts.length > 50 || parts.some((part) => !/^\d+$/.test(part))) {
    throw new Error(`retry schedule must be 1-50 comma-separated whole seconds, got "${text}"`);
  }
  const waits = parts.map(Number);
  if (waits.some((wait) => wait > MAX_WAIT_SECONDS)) {
    throw new Error(`retry schedule waits must be at most ${MAX_WAIT_SECONDS} s`);
  }
  return waits;
}

/**
 * `seconds` spread uniformly by ± `jitter` (a fraction), in whole seconds; 0 stays 0 (an immediate
 * attempt stays immediate) and a positive wait never becomes 0. `random` returns [0, 1).
 */
export function withJitter(seconds: number, jitter: number, random: () => number): number {
  if (seconds <= 0) return 0;
  const spread = seconds * jitter * (2 * random() - 1);
  return Math.max(1, Math.round(seconds + spread));
}

/** The wait before scheduled attempt `attempt` (1-based), jittered; undefined past the schedule. */
export function waitBeforeAttempt(
  schedule: readonly number[],
  attempt: number,
  jitter: number,
  random: () => number,
): number | undefined {
  const base = schedule[attempt - 1];
  return base === undefined ? undefined : withJitter(base, jitter, random);
}

/**
 * Seconds a `Retry-After` value asks to wait: delay-seconds or an HTTP-date (RFC 9110 §10.2.3),
 * capped at MAX_RETRY_AFTER_SECONDS; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  let seconds: number;
  if (/^\d+$/.test(text)) seconds = Number(text);
  else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    seconds = Math.ceil((at - now.getTime()) / 1000);
  }
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, seconds));
}
