/**
 * Endpoint health. An endpoint that keeps failing, with no success for
 * ENDPOINT_DISABLE_AFTER_SECONDS (5 days by default), is disabled (`failing`); one answering 410 is
 * disabled at once (`gone`). Any success ends a run of failures. A disabled endpoint's messages are
 * held for recovery, never dropped. EndpointDisabled is published once, by whoever flips `enabled`.
 */
import type { Subscription } from './model';
import type { AttemptOutcome } from './outcome';

export type HealthChange =
  | { kind: 'none' }
  /** A success after failures: forget `failingSince`. */
  | { kind: 'recovered' }
  /** The first failure of a run: remember when it started. */
  | { kind: 'failing'; since: string }
  | { kind: 'disable'; reason: 'gone' | 'failing'; at: string };

export function healthAfter(
  subscription: Pick<Subscription, 'enabled' | 'failingSince'>,
  outcome: AttemptOutcome,
  now: Date,
  disableAfterSeconds: number,
): HealthChange {
  if (outcome === 'delivered') {
    return subscription.failingSince === undefined ? { kind: 'none' } : { kind: 'recovered' };
  }
  if (!subscription.enabled) return { kind: 'none' };
  if (outcome === 'gone') return { kind: 'disable', reason: 'gone', at: now.toISOString() };
  const since = subscription.failingSince;
  if (since === undefined) {
    return disableAfterSeconds === 0
      ? { kind: 'disable', reason: 'failing', at: now.toISOString() }
      : { kind: 'failing', since: now.toISOString() };
  }
  const failingForMs = now.getTime() - Date.parse(since);
  return failingForMs >= disableAfterSeconds * 1000
    ? { kind: 'disable', reason: 'failing', at: now.toISOString() }
    : { kind: 'none' };
}
