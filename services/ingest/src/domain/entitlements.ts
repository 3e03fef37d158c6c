/**
 * What each tenant may do, projected from billing's SubscriptionChanged (ingest never asks billing),
 * and the per-request decision: allowed, 402 (subscription not in good standing) or 429
 * `quota_exhausted` (monthly event quota used up; distinct from the per-second `rate_limited`).
 */
import type { SubscriptionChanged } from '@switchyard/contracts';
import type { ChangeStamp } from '@switchyard/access';
import { isNewer } from '@switchyard/access';

export type SubscriptionStatus = SubscriptionChanged['new']['status'];

export interface Quotas {
  eventsPerMonth: number;
  requestsPerSecond: number;
}

export interface Entitlement {
  tenantId: string;
  status: SubscriptionStatus;
  plan: string;
  quotas: Quotas;
  /** `default`: billing never mentioned this tenant; `billing`: from SubscriptionChanged. */
  origin: 'default' | 'billing';
  subscriptionId?: string;
  currentPeriodEnd?: string;
  /** Billing's own decision (a past_due subscription stays entitled for a grace period); wins when present. */
  entitled?: boolean;
  stamp?: ChangeStamp;
  /** Incremented on every applied change: adapters write with `#revision = :previous`. */
  revision: number;
}

/**
 * DOCUMENTED DEFAULT for tenants billing has never mentioned (new tenants before their first
 * SubscriptionChanged, self-hosted installs without billing): an active `free` plan, 10 requests per
 * second and 100,000 events per calendar month. Generous enough to try the platform and run a small
 * integration, small enough that an unbilled tenant cannot cost real money. The first
 * SubscriptionChanged for the tenant replaces it entirely.
 */
export const DEFAULT_ENTITLEMENT = {
  status: 'active',
  plan: 'free',
  quotas: { eventsPerMonth: 100_000, requestsPerSecond: 10 },
} as const satisfies { status: SubscriptionStatus; plan: string; quotas: Quotas };

/** The tenant's entitlement: the projected record, or the documented default. */
export function entitlementFor(tenantId: string, record: Entitlement | undefined): Entitlement {
  if (record) return record;
  return {
    tenantId,
    status: DEFAULT_ENTITLEMENT.status,
    plan: DEFAULT_ENTITLEMENT.plan,
    quotas: { ...DEFAULT_ENTITLEMENT.quotas },
    origin: 'default',
    revision: 0,
  };
}

export type EntitlementResult =
  | { outcome: 'applied'; record: Entitlement }
  | { outcome: 'ignored'; record: Entitlement; reason: 'stale' | 'redelivered' };

/**
 * Applies one SubscriptionChanged when it is newer (`changedAt`, then message id) than what is
 * stored. `new` is the complete state, so an applied event replaces everything, including a change of
 * subscription (a tenant who cancelled one subscription and started another).
 */
export function applySubscriptionChanged(
  current: Entitlement | undefined,
  message: SubscriptionChanged,
): EntitlementResult {
  const stamp: ChangeStamp = { time: message.changedAt, messageId: message.id };
  if (current && current.tenantId !== message.tenantId) {
    throw new Error(
      `SubscriptionChanged ${message.id}: entitlement of ${current.tenantId} got ${message.tenantId}`,
    );
  }
  if (current?.stamp && !isNewer(stamp, current.stamp)) {
    const same = current.stamp.messageId === stamp.messageId;
    return { outcome: 'ignored', record: current, reason: same ? 'redelivered' : 'stale' };
  }
  const state = message.new;
  return {
    outcome: 'applied',
    record: {
      tenantId: message.tenantId,
      status: state.status,
      plan: state.plan,
      quotas: {
        eventsPerMonth: state.quotas.eventsPerMonth,
        requestsPerSecond: state.quotas.requestsPerSecond,
      },
      origin: 'billing',
      subscriptionId: message.subscriptionId,
      ...(state.currentPeriodEnd === undefined ? {} : { currentPeriodEnd: state.currentPeriodEnd }),
      ...(state.entitled === undefined ? {} : { entitled: state.entitled }),
      stamp,
      revision: (current?.revision ?? 0) + 1,
    },
  };
}

/**
 * The quota period: the calendar month in UTC. Not the billing period: the usage counter's key must be
 * computable from the clock alone on every request, without reading the subscription first, and a
 * calendar month is the same for every tenant. `id` is the counter's sort key, e.g. `2025-06`.
 */
export interface UsagePeriod {
  id: string;
  start: Date;
  end: Date;
}

export function usagePeriod(now: Date): UsagePeriod {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const start = new Date(Date.UTC(year, month, 1));
  const end = new Date(Date.UTC(year, month + 1, 1));
  return { id: `${year}-${String(month + 1).padStart(2, '0')}`, start, end };
}

export interface Usage {
  /** Events counted so far in the current period (see `usagePeriod`). */
  eventsThisPeriod: number;
  /** Events this request would add (1 for POST /events, the valid items of a batch). */
  requested: number;
}

export type EntitlementDecision =
  | {
      outcome: 'allowed';
      /** How many of the requested events fit: a batch beyond the quota keeps its first items. */
      allowedEvents: number;
    }
  | { outcome: 'payment_required'; status: 402; code: 'payment_required'; message: string }
  | {
      outcome: 'quota_exhausted';
      status: 429;
      code: 'quota_exhausted';
      message: string;
      /** When the period ends and the quota resets (ISO-8601). */
      resetAt: string;
      retryAfterSeconds: number;
    };

const GOOD_STANDING: ReadonlySet<SubscriptionStatus> = new Set(['active', 'trialing']);

/**
 * Standing first (a lapsed subscription is 402 even with quota left), then the monthly quota. Billing's
 * `entitled` decides standing when the projection has it; without it, active and trialing are good.
 */
export function decide(entitlement: Entitlement, usage: Usage, now: Date): EntitlementDecision {
  if (!(entitlement.entitled ?? GOOD_STANDING.has(entitlement.status))) {
    return {
      outcome: 'payment_required',
      status: 402,
      code: 'payment_required',
      message: `The subscription is ${entitlement.status}; publishing resumes when it is active`,
    };
  }
  const left = Math.max(0, entitlement.quotas.eventsPerMonth - Math.max(0, usage.eventsThisPeriod));
  const allowedEvents = Math.min(Math.max(0, usage.requested), left);
  if (allowedEvents > 0 || usage.requested <= 0) return { outcome: 'allowed', allowedEvents };
  const period = usagePeriod(now);
  return {
    outcome: 'quota_exhausted',
    status: 429,
    code: 'quota_exhausted',
    message: `The monthly quota of ${entitlement.quotas.eventsPerMonth} events is used up; it resets at ${period.end.toISOString()}`,
    resetAt: period.end.toISOString(),
    retryAfterSeconds: Math.max(1, Math.ceil((period.end.getTime() - now.getTime()) / 1000)),
  };
}
