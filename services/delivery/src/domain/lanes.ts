/**
 * Lanes ("one slow or failing endpoint never delays the others"). Attempts run in
 * one of two lanes, each its own queue and its own function, so each has its own concurrency:
 *
 * - `default`: every endpoint, as long as it answers promptly;
 * - `slow`: endpoints seen answering slower than SLOW_LATENCY_MS (or timing out), for
 *   SLOW_LANE_SECONDS after the last such attempt.
 *
 * A slow endpoint's attempts hold a sender for up to the send timeout each; in their own lane they
 * can only hold up each other. Within a lane, a batch's records are sent concurrently. Failing
 * fast (an error status, a refused connection) costs nothing and stays in the default lane.
 */
import type { Subscription } from './model';

export type Lane = 'default' | 'slow';

export function laneOf(subscription: Pick<Subscription, 'slowUntil'> | undefined, now: Date): Lane {
  const until = subscription?.slowUntil;
  return until !== undefined && Date.parse(until) > now.getTime() ? 'slow' : 'default';
}

/**
 * The new `slowUntil` after an attempt that took `latencyMs` (or timed out), or undefined when
 * nothing needs writing: fast attempts change nothing (the mark expires by itself), and a mark with
 * more than half its time left is not renewed, so a slow endpoint costs one write per half-period.
 */
export function slowMark(
  subscription: Pick<Subscription, 'slowUntil'>,
  latencyMs: number,
  timedOut: boolean,
  now: Date,
  settings: { slowLatencyMs: number; slowLaneSeconds: number },
): string | undefined {
  if (!timedOut && latencyMs < settings.slowLatencyMs) return undefined;
  const current = subscription.slowUntil ? Date.parse(subscription.slowUntil) : 0;
  const halfLeft = now.getTime() + (settings.slowLaneSeconds * 1000) / 2;
  if (current > halfLeft) return undefined;
  return new Date(now.getTime() + settings.slowLaneSeconds * 1000).toISOString();
}
