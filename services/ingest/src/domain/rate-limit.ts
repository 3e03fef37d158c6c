/**
 * Request-rate limits shared by every Lambda instance, per tenant and per API key: GCRA (the generic
 * cell rate algorithm, as in ATM networks and redis-cell), kept in one DynamoDB item per tenant.
 *
 * Each subject (the tenant, and each key) has a theoretical arrival time `tat` (epoch ms). A request
 * at `now` is admitted when `max(tat, now) - now <= tolerance`, and moves `tat` to
 * `max(tat, now) + interval`, where `interval` is 1/rate and `tolerance` is (burst - 1) × interval.
 * Over ANY span of one second a subject is therefore admitted at most `limit + burst - 1` requests
 * (n admissions need (n - burst) × interval < span); there is no window boundary to burst across,
 * unlike fixed windows, which let 2× the limit through around each boundary.
 *
 * Burst: BURST_SHARE of the per-second limit (at least 1), so producers that send a few requests
 * back to back are not refused, and burst - 1 is the documented overshoot (10 requests/s → 5 at
 * once, at most 14 in any second, where fixed windows allow 20). The item is per tenant and hour, so keys
 * that stopped calling leave with it (TTL); a new hour starts from a full bucket, which can admit
 * one extra burst once an hour.
 *
 * An update expression cannot compute `max(tat, now)`, so each write states which side of `now`
 * it expects every `tat` to be on and guards that with its condition:
 *
 *   busy: SET #t = #t + :interval   IF #t BETWEEN :now AND :now + tolerance
 *   idle: SET #t = :now + interval  IF attribute_not_exists(#t) OR #t < :now
 *
 * The guess comes from the last `tat` this instance saw (`tat` never decreases within an hour, so a
 * cached `tat` that already refuses means the real one refuses too: that refusal costs no request).
 * A wrong guess fails the condition; the failure returns the item (ALL_OLD) and the next write is
 * planned from the real state. Under load the guess is right and a request costs ONE conditional
 * UpdateItem, as the fixed windows did.
 *
 * A busy instance claims several cells in that one write (a block: `tat` moves by cells × interval,
 * and only if the last cell conforms now) and admits the next requests from it without writing
 * (RateLimitStock), so under sustained load the limiter costs one write per block, not per request.
 */
import type { Entitlement } from './entitlements';

/**
 * No single key may use more than this share of its tenant's rate, so one runaway or leaked key
 * cannot lock out the tenant's other producers. (A tenant with one key gets half its plan's rate
 * from it; raise the share here if that proves too strict.)
 */
export const KEY_SHARE_OF_TENANT_RATE = 0.5;

/** Requests admitted at once, as a share of the per-second limit: the documented overshoot. */
export const BURST_SHARE = 0.5;

export interface RateLimitPolicy {
  /** The span `tenantLimit` and `keyLimit` are counted over: 1 s, longer for rates below one per second. */
  windowSeconds: number;
  tenantLimit: number;
  keyLimit: number;
  /** Requests admitted back to back (GCRA's burst); the overshoot over any window is burst - 1. */
  tenantBurst: number;
  keyBurst: number;
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
  return {
    windowSeconds,
    tenantLimit,
    keyLimit,
    tenantBurst: burstFor(tenantLimit),
    keyBurst: burstFor(keyLimit),
  };
}

const burstFor = (limit: number) => Math.max(1, Math.ceil(limit * BURST_SHARE));

export function policyFor(entitlement: Pick<Entitlement, 'quotas'>): RateLimitPolicy {
  return rateLimitPolicy(entitlement.quotas.requestsPerSecond);
}

/** Items live an hour (their keys' attributes go with them); TTL removes them a minute after. */
export const RATE_ITEM_HOURS_MS = 3_600_000;
export const RATE_ITEM_GRACE_SECONDS = 60;

/** The item of a tenant's limits at `now`. */
export function rateItemKey(tenantId: string, now: Date): { pk: string; hourEndsAtEpoch: number } {
  const hour = Math.floor(now.getTime() / RATE_ITEM_HOURS_MS);
  return { pk: `rate#${tenantId}#${hour}`, hourEndsAtEpoch: ((hour + 1) * RATE_ITEM_HOURS_MS) / 1000 };
}

/** The stored theoretical arrival times (epoch ms); absent when the subject has not called this hour. */
export interface RateState {
  tenantTat?: number;
  keyTat?: number;
}

interface Subject {
  /** The item attribute holding this subject's `tat`. */
  attribute: string;
  limit: number;
  intervalMs: number;
  toleranceMs: number;
}

function subjects(policy: RateLimitPolicy, keyId: string): { tenant: Subject; key: Subject } {
  const subject = (attribute: string, limit: number, burst: number): Subject => {
    const intervalMs = (policy.windowSeconds * 1000) / limit;
    return { attribute, limit, intervalMs, toleranceMs: (burst - 1) * intervalMs };
  };
  return {
    tenant: subject('tat', policy.tenantLimit, policy.tenantBurst),
    key: subject(`k#${keyId}`, policy.keyLimit, policy.keyBurst),
  };
}

/** The one UpdateItem, fully described; adapters add the table name and ReturnValues. */
export interface RateLimitUpdate {
  Key: { pk: string };
  UpdateExpression: string;
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, number>;
  /** Item attributes of the tenant's and the key's `tat`, to read them back. */
  tenantAttribute: string;
  keyAttribute: string;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Requests the write admitted at once (a block claimed ahead): this one and cells - 1 more. */
  cells?: number;
  /** Which limit refused the request (both may be exhausted: the tenant is reported first). */
  limitedBy?: 'tenant' | 'key';
  /** `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`; plus `Retry-After` when refused. */
  headers: Record<string, string>;
  retryAfterSeconds?: number;
}

/** What to do about a request, planned from a (possibly cached) state. */
export type RateLimitPlan =
  | { kind: 'refuse'; decision: RateLimitDecision }
  /** Write `update`; if its condition holds, `decision` is the answer and `next` the new state. */
  | { kind: 'write'; update: RateLimitUpdate; decision: RateLimitDecision; next: Required<RateState> };

/**
 * The plan for a request by `keyId` at `now` given the `tat`s believed stored. Refusals are certain
 * when the belief is a lower bound of the stored state (the cache) or the state itself (ALL_OLD).
 */
export function planRateLimit(
  policy: RateLimitPolicy,
  tenantId: string,
  keyId: string,
  now: Date,
  believed: RateState,
  cells = 1,
): RateLimitPlan {
  const at = now.getTime();
  const { tenant, key } = subjects(policy, keyId);
  const step = (subject: Subject, tat: number | undefined) => {
    const busy = tat !== undefined && tat >= at;
    const base = busy ? tat : at;
    // Claiming `cells` at once: the last of them must conform now, so the block never admits more
    // than `cells` requests arriving back to back would have been.
    const ahead = (cells - 1) * subject.intervalMs;
    return {
      subject,
      busy,
      admitted: base - at + ahead <= subject.toleranceMs,
      next: base + cells * subject.intervalMs,
      maxTat: at + subject.toleranceMs - ahead,
      step: cells * subject.intervalMs,
      tat,
    };
  };
  const steps = { tenant: step(tenant, believed.tenantTat), key: step(key, believed.keyTat) };

  const refusing = (['tenant', 'key'] as const).filter((name) => !steps[name].admitted);
  if (refusing.length > 0) {
    const limitedBy = refusing[0]!;
    // Admitted again once max(tat) - tolerance <= now, for every refusing subject.
    const waitMs = Math.max(
      ...refusing.map((name) => (steps[name].tat ?? at) - steps[name].subject.toleranceMs - at),
    );
    const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
    return {
      kind: 'refuse',
      decision: {
        allowed: false,
        limitedBy,
        retryAfterSeconds,
        headers: {
          'RateLimit-Limit': String(steps[limitedBy].subject.limit),
          'RateLimit-Remaining': '0',
          'RateLimit-Reset': String(retryAfterSeconds),
          'Retry-After': String(retryAfterSeconds),
        },
      },
    };
  }

  const item = rateItemKey(tenantId, now);
  const names: Record<string, string> = { '#expiresAt': 'expiresAt' };
  const values: Record<string, number> = {
    ':now': at,
    ':expiresAt': item.hourEndsAtEpoch + RATE_ITEM_GRACE_SECONDS,
  };
  const sets: string[] = [];
  const conditions: string[] = [];
  for (const [placeholder, { subject, busy, maxTat, step: advance }] of [
    ['t', steps.tenant],
    ['k', steps.key],
  ] as const) {
    names[`#${placeholder}`] = subject.attribute;
    if (busy) {
      values[`:${placeholder}Interval`] = advance;
      values[`:${placeholder}Max`] = maxTat;
      sets.push(`#${placeholder} = #${placeholder} + :${placeholder}Interval`);
      conditions.push(`(#${placeholder} BETWEEN :now AND :${placeholder}Max)`);
    } else {
      values[`:${placeholder}Next`] = at + advance;
      sets.push(`#${placeholder} = :${placeholder}Next`);
      conditions.push(`(attribute_not_exists(#${placeholder}) OR #${placeholder} < :now)`);
    }
  }
  sets.push('#expiresAt = :expiresAt');

  // The headers describe the stricter subject: the one with fewer requests left now (on a tie, the
  // smaller limit), as the IETF RateLimit draft asks for the policy closest to being exceeded.
  const left = (s: (typeof steps)['tenant']) =>
    Math.max(0, Math.floor((s.subject.toleranceMs - (s.next - at)) / s.subject.intervalMs) + 1);
  const tenantLeft = left(steps.tenant);
  const keyLeft = left(steps.key);
  const keyStricter = keyLeft < tenantLeft || (keyLeft === tenantLeft && key.limit < tenant.limit);
  const stricter = keyStricter ? steps.key : steps.tenant;
  return {
    kind: 'write',
    update: {
      Key: { pk: item.pk },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      tenantAttribute: tenant.attribute,
      keyAttribute: key.attribute,
    },
    decision: {
      allowed: true,
      cells,
      headers: {
        'RateLimit-Limit': String(stricter.subject.limit),
        'RateLimit-Remaining': String(Math.min(tenantLeft, keyLeft)),
        // Seconds until the stricter subject's bucket is full again.
        'RateLimit-Reset': String(Math.max(1, Math.ceil((stricter.next - at) / 1000))),
      },
    },
    next: { tenantTat: steps.tenant.next, keyTat: steps.key.next },
  };
}

/** What writing a plan's update did: applied, or refused by its condition with the stored state. */
export type RateLimitWriteResult = { applied: true } | { applied: false; stored: RateState };

/** Writes one rate-limit decision may take: a stale guess costs one, a racing instance one more. */
export const RATE_LIMIT_ATTEMPTS = 3;

/**
 * Decides a request: plans from `believed` (this instance's last view), writes, and on a failed
 * condition plans again from the stored state the failure returned. `remember` receives every state
 * learnt, so the instance guesses right next time. Past RATE_LIMIT_ATTEMPTS it refuses for a second
 * rather than spin.
 */
export async function decideRateLimit(
  input: {
    policy: RateLimitPolicy;
    tenantId: string;
    keyId: string;
    now: Date;
    believed: RateState;
    /** A block to claim ahead (see RateLimitStock); one request alone when the block does not fit. */
    cells?: number;
  },
  ports: {
    write: (update: RateLimitUpdate) => Promise<RateLimitWriteResult>;
    remember: (state: RateState) => void;
  },
): Promise<RateLimitDecision> {
  let believed = input.believed;
  for (let attempt = 0; attempt < RATE_LIMIT_ATTEMPTS; attempt++) {
    let plan = planRateLimit(input.policy, input.tenantId, input.keyId, input.now, believed, input.cells);
    if (plan.kind === 'refuse' && (input.cells ?? 1) > 1)
      plan = planRateLimit(input.policy, input.tenantId, input.keyId, input.now, believed);
    if (plan.kind === 'refuse') return plan.decision;
    const result = await ports.write(plan.update);
    if (result.applied) {
      ports.remember(plan.next);
      return plan.decision;
    }
    believed = result.stored;
    ports.remember(believed);
  }
  return {
    allowed: false,
    limitedBy: 'tenant',
    retryAfterSeconds: 1,
    headers: {
      'RateLimit-Limit': String(input.policy.tenantLimit),
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '1',
      'Retry-After': '1',
    },
  };
}

/**
 * How long a claimed block may be spent: admissions move at most this much later than their claim.
 * Also the overshoot: over any second, at most `limit × STOCK_TTL_MS / 1000` more than GCRA's bound.
 * 300 ms lets an instance serving about 35 requests/s of one key write once per 10 of them.
 */
export const STOCK_TTL_MS = 300;
/** The largest block one write claims. */
export const MAX_BLOCK = 100;

/**
 * The block to claim for a subject arriving at `perSecond` here: what this instance spends in
 * STOCK_TTL_MS, rounded up. The claiming request is spent at once and the block lives STOCK_TTL_MS
 * after it, so rounding down left the block short of the arrivals it was claimed for (a third of the
 * cells at 30 requests/s per instance, which cost one more write per block); rounding up risks at most
 * one cell expiring unused.
 */
export function blockSize(perSecond: number, policy: RateLimitPolicy): number {
  const wanted = Math.ceil((perSecond * STOCK_TTL_MS) / 1000);
  return Math.max(1, Math.min(wanted, MAX_BLOCK, policy.tenantBurst, policy.keyBurst));
}

/**
 * One instance's admissions claimed ahead for one tenant and key, so a busy instance writes once per
 * block instead of once per request. A block is claimed only when the last of its cells conforms at
 * the claim (planRateLimit), and spent within STOCK_TTL_MS, so over any 1 s span a subject is admitted
 * at most `limit + burst - 1` (GCRA's bound) plus what was claimed in the STOCK_TTL_MS before the span:
 * at most `limit × STOCK_TTL_MS / 1000` more, the documented overshoot (30% of the limit). Unspent cells
 * expire unused: the limiter errs towards refusing. The arrival rate is estimated from this second's
 * and the previous second's counts, weighted by how much of the previous one the last second covers.
 */
export class RateLimitStock {
  private left = 0;
  private until = 0;
  private headers: Record<string, string> = {};
  private second = 0;
  private thisSecond = 0;
  private lastSecond = 0;

  /** Counts an arrival at `at` and returns the estimated arrivals per second here. */
  arrive(at: number): number {
    const second = Math.floor(at / 1000);
    if (second !== this.second) {
      this.lastSecond = second === this.second + 1 ? this.thisSecond : 0;
      this.thisSecond = 0;
      this.second = second;
    }
    this.thisSecond++;
    const intoSecond = (at % 1000) / 1000;
    return this.thisSecond + this.lastSecond * (1 - intoSecond);
  }

  /** An admission from the block, with the headers of the write that claimed it, or undefined. */
  spend(at: number): RateLimitDecision | undefined {
    if (this.left <= 0 || at >= this.until) return undefined;
    this.left--;
    return { allowed: true, headers: this.headers };
  }

  /** Keeps what an admitting decision claimed beyond the request itself. */
  keep(decision: RateLimitDecision, at: number): void {
    if (!decision.allowed) return;
    this.left = (decision.cells ?? 1) - 1;
    this.until = at + STOCK_TTL_MS;
    this.headers = decision.headers;
  }
}
