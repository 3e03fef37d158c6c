/**
 * Request-rate limits shared by every Lambda instance, per tenant and per API key, enforced with ONE
 * conditional UpdateItem per request (counting in process memory would give each instance its own
 * limit, reset by every cold start).
 *
 * Algorithm: fixed-window counters in DynamoDB. One item per (tenant, window) holds both the
 * tenant's counter and one counter per key (`k#<keyId>`), so a single
 *
 *   UpdateItem  ADD #tenant :one, #key :one  SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)
 *               IF (attribute_not_exists(#tenant) OR #tenant < :tenantLimit)
 *              AND (attribute_not_exists(#key) OR #key < :keyLimit)
 *
 * checks and counts both limits atomically; the stricter one wins. A refused request changes nothing
 * (the condition failed), so clients that retry too early do not push their own reset further.
 * Why not GCRA / token bucket: they need `max(tat, now)`, which an update expression cannot compute,
 * so they take a read or a second guarded write. A sliding window needs the previous window's count
 * (a second item). Fixed windows of one second bound the boundary burst to 2× the rate over any
 * one-second span, which is acceptable for a per-second limit. One item per tenant per second can
 * absorb ~1,000 writes/s (DynamoDB's per-item limit), far above any plan's requestsPerSecond.
 */
import type { Entitlement } from './entitlements';

/**
 * No single key may use more than this share of its tenant's rate, so one runaway or leaked key
 * cannot lock out the tenant's other producers. (A tenant with one key gets half its plan's rate
 * from it; raise the share here if that proves too strict.)
 */
export const KEY_SHARE_OF_TENANT_RATE = 0.5;

export interface RateLimitPolicy {
  /** Window length in seconds: 1, or longer for plans below one request per second. */
  windowSeconds: number;
  tenantLimit: number;
  keyLimit: number;
}

/** Limits per window derived from a per-second rate (fractional rates get longer windows). */
export function rateLimitPolicy(
  requestsPerSecond: number,
  keyShare: number = KEY_SHARE_OF_TENANT_RATE,
): RateLimitPolicy {
  if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
    throw new RangeError(`requestsPerSecond must be a positive number (got ${requestsPerSecond})`);
  }
  const windowSeconds = requestsPerSecond >= 1 ? 1 : Math.ceil(1 / requestsPerSecond);
  const tenantLimit = Math.max(1, Math.floor(requestsPerSecond * windowSeconds));
  const keyLimit = Math.max(1, Math.min(tenantLimit, Math.ceil(tenantLimit * keyShare)));
  return { windowSeconds, tenantLimit, keyLimit };
}

export function policyFor(entitlement: Pick<Entitlement, 'quotas'>): RateLimitPolicy {
  return rateLimitPolicy(entitlement.quotas.requestsPerSecond);
}

export interface RateWindow {
  /** Epoch seconds at which the window started (aligned to its length). */
  start: number;
  /** Epoch seconds at which it ends (exclusive): the reset time. */
  end: number;
}

export function currentWindow(now: Date, windowSeconds: number): RateWindow {
  const seconds = Math.floor(now.getTime() / 1000);
  const start = seconds - (seconds % windowSeconds);
  return { start, end: start + windowSeconds };
}

/** The one UpdateItem, fully described; adapters add the table name and ReturnValues. */
export interface RateLimitUpdate {
  Key: { pk: string };
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, number>;
  /** Names of the counters in the item, to read the counts back from the returned attributes. */
  tenantAttribute: string;
  keyAttribute: string;
  window: RateWindow;
}

/** Counters linger a minute past their window, then TTL removes them. */
export const RATE_ITEM_GRACE_SECONDS = 60;

export function rateLimitUpdate(
  policy: RateLimitPolicy,
  subject: { tenantId: string; keyId: string },
  now: Date,
): RateLimitUpdate {
  const window = currentWindow(now, policy.windowSeconds);
  const tenantAttribute = 'tenantCount';
  const keyAttribute = `k#${subject.keyId}`;
  return {
    Key: { pk: `rate#${subject.tenantId}#${policy.windowSeconds}#${window.start}` },
    UpdateExpression: 'ADD #tenant :one, #key :one SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
    ConditionExpression:
      '(attribute_not_exists(#tenant) OR #tenant < :tenantLimit) AND (attribute_not_exists(#key) OR #key < :keyLimit)',
    ExpressionAttributeNames: { '#tenant': tenantAttribute, '#key': keyAttribute, '#expiresAt': 'expiresAt' },
    ExpressionAttributeValues: {
      ':one': 1,
      ':tenantLimit': policy.tenantLimit,
      ':keyLimit': policy.keyLimit,
      ':expiresAt': window.end + RATE_ITEM_GRACE_SECONDS,
    },
    tenantAttribute,
    keyAttribute,
    window,
  };
}

/**
 * What DynamoDB answered: the counts after the update (ReturnValues UPDATED_NEW), or, when the
 * condition failed, the counts that made it fail (ReturnValuesOnConditionCheckFailure ALL_OLD; a
 * missing item or attribute reads as undefined).
 */
export type RateLimitWriteResult =
  | { written: true; tenantCount: number; keyCount: number }
  | { written: false; tenantCount?: number; keyCount?: number };

export interface RateLimitDecision {
  allowed: boolean;
  /** Which limit refused the request (both may be exhausted: the tenant is reported first). */
  limitedBy?: 'tenant' | 'key';
  /** `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`; plus `Retry-After` when refused. */
  headers: Record<string, string>;
  retryAfterSeconds?: number;
}

/**
 * The answer and its headers. The headers describe the stricter of the two limits (the one with
 * fewer requests left; on a tie, the smaller limit), as the IETF RateLimit draft asks for the
 * policy closest to being exceeded. Reset and Retry-After are whole seconds until the window ends.
 */
export function rateLimitDecision(
  policy: RateLimitPolicy,
  update: RateLimitUpdate,
  result: RateLimitWriteResult,
  now: Date,
): RateLimitDecision {
  const reset = Math.max(1, Math.ceil(update.window.end - now.getTime() / 1000));
  const tenantRemaining = Math.max(0, policy.tenantLimit - (result.tenantCount ?? 0));
  const keyRemaining = Math.max(0, policy.keyLimit - (result.keyCount ?? 0));
  const keyStricter =
    keyRemaining < tenantRemaining ||
    (keyRemaining === tenantRemaining && policy.keyLimit < policy.tenantLimit);
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(keyStricter ? policy.keyLimit : policy.tenantLimit),
    'RateLimit-Remaining': String(result.written ? Math.min(tenantRemaining, keyRemaining) : 0),
    'RateLimit-Reset': String(reset),
  };
  if (result.written) return { allowed: true, headers };
  const tenantFull = (result.tenantCount ?? 0) >= policy.tenantLimit;
  const keyFull = (result.keyCount ?? 0) >= policy.keyLimit;
  // Neither looks full: the counts were not returned, or the window just rolled; refuse to the end of it.
  const limitedBy = tenantFull || !keyFull ? 'tenant' : 'key';
  if (limitedBy === 'key') headers['RateLimit-Limit'] = String(policy.keyLimit);
  else headers['RateLimit-Limit'] = String(policy.tenantLimit);
  return {
    allowed: false,
    limitedBy,
    headers: { ...headers, 'Retry-After': String(reset) },
    retryAfterSeconds: reset,
  };
}
