/**
 * The per-endpoint rate limit: at most N messages per second to one endpoint,
 * counted in fixed one-second windows shared by every instance (the store's `RATE#<subscriptionId>`
 * items). An attempt that finds its second full waits for a later one; it is not an attempt, so it
 * costs the message nothing on its retry schedule.
 */
import type { Subscription } from './model';

/** The window an attempt at `now` counts in: the epoch second. */
export function rateWindow(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

/** Messages per second the endpoint takes: its own limit, else the service default. */
export function rateLimitOf(
  subscription: Pick<Subscription, 'rateLimitPerSecond'>,
  defaultLimit: number,
): number {
  const own = subscription.rateLimitPerSecond;
  return own !== undefined && Number.isInteger(own) && own > 0 ? own : defaultLimit;
}

/**
 * How many of a window's places an instance claims with one write: a tenth of the limit (1 for
 * limits under 20), so an endpoint at its default of 100/s costs one write per ten attempts an
 * instance makes in a second instead of one each. Places are numbered by the shared counter, so
 * the window never admits more than the limit; places an instance claimed and did not use in their
 * second are lost, so an endpoint can get less than its limit in a second only when more than ten
 * instances send to it within that second.
 */
export function rateBlockOf(limit: number): number {
  return Math.max(1, Math.floor(limit / 10));
}

/** What the window's counter says about one more attempt. */
export type RateDecision = { allowed: true } | { allowed: false; delaySeconds: number };

/**
 * Every attempt takes the next place in its window (refused ones too; see rateBlockOf): the
 * first `limit` go, the rest wait. The k-th one over waits ceil(k / limit) seconds, so a burst
 * drains at the limit instead of every waiting message coming back in the same second.
 */
export function rateDecision(countInWindow: number, limit: number): RateDecision {
  if (countInWindow <= limit) return { allowed: true };
  const over = countInWindow - limit;
  return { allowed: false, delaySeconds: Math.max(1, Math.ceil(over / limit)) };
}
