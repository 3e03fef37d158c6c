/**
 * Usage metering, pure: which billing period a unit of usage belongs to, how a batch of messages
 * becomes a few counter increments, and which thresholds an increment crosses.
 *
 * Idempotency with few writes: a message id is remembered in a dedup set shared by the tenant's
 * messages of the same 10-second bucket of message time (`time` of the header, the same on every
 * redelivery and replay of a message). A batch reads the sets of its buckets, drops the ids already
 * there, and writes, in one transaction, the new ids into those sets and one ADD per tenant and
 * period. Each item is conditioned on the revision it was read at, so two batches never both count
 * one message; a batch that loses the race reads again. A batch of one tenant thus costs about two
 * writes, however many messages it holds.
 */
import type { UsageThresholdReached } from '@switchyard/contracts';
import type { BillingState, TenantBilling } from './billing';
import type { Limits } from './plans';

export type Metric = UsageThresholdReached['metric'];
export const METRICS: readonly Metric[] = ['events', 'agent_queries'];
export const THRESHOLDS = [80, 100] as const;
export type Threshold = (typeof THRESHOLDS)[number];

/** Seconds of message time that share one dedup set. */
export const DEDUP_BUCKET_SECONDS = 10;
/** Ids per dedup item: 12-byte fingerprints, so a part stays near 12 KB (a write costs ~12 units). */
export const DEDUP_PART_CAPACITY = 1_000;

export interface Period {
  start: string;
  end?: string;
}

export interface UsageUnit {
  /** The message's header id: what makes a redelivery count once. */
  messageId: string;
  tenantId: string;
  metric: Metric;
  /** When the usage happened (receivedAt / completedAt): picks the period. */
  at: Date;
  /** The header's `time`: picks the dedup bucket. */
  messageTime: Date;
}

/** The calendar month (UTC) around `at`: the free plan's period. */
export function calendarMonth(at: Date): Required<Period> {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { start: start.toISOString(), end: end.toISOString() };
}

/**
 * The billing period of usage at `at`: the subscription's current period (from its
 * `current_period_start`, not the calendar month), the one before it for late usage, else (free
 * plan, or usage before the subscription began) the calendar month.
 */
export function periodOf(tenant: TenantBilling | undefined, at: Date): Period {
  const state = tenant?.state;
  const start = state?.currentPeriodStart;
  if (start === undefined || !state) return calendarMonth(at);
  const time = at.getTime();
  if (time >= Date.parse(start)) {
    return { start, ...(state.currentPeriodEnd ? { end: state.currentPeriodEnd } : {}) };
  }
  const previous = tenant?.previousPeriodStart;
  if (previous !== undefined && time >= Date.parse(previous)) return { start: previous, end: start };
  return calendarMonth(at);
}

/** The current period of a tenant (what GET /billing/usage shows). */
export function currentPeriod(tenant: TenantBilling | undefined, now: Date): Period {
  const state = tenant?.state;
  if (state?.currentPeriodStart && now.getTime() >= Date.parse(state.currentPeriodStart)) {
    return periodOf(tenant, now);
  }
  if (state?.currentPeriodStart) {
    return {
      start: state.currentPeriodStart,
      ...(state.currentPeriodEnd ? { end: state.currentPeriodEnd } : {}),
    };
  }
  return calendarMonth(now);
}

export function limitOf(quotas: Limits, metric: Metric): number {
  return metric === 'events' ? quotas.eventsPerMonth : quotas.agentQueriesPerMonth;
}

/** The dedup bucket of a message: its header time floored to DEDUP_BUCKET_SECONDS, ISO. */
export function dedupBucket(messageTime: Date): string {
  const size = DEDUP_BUCKET_SECONDS * 1000;
  return new Date(Math.floor(messageTime.getTime() / size) * size).toISOString();
}

/** Units of one tenant with duplicates inside the batch dropped (first one kept). */
export function distinctUnits(units: UsageUnit[]): UsageUnit[] {
  const seen = new Set<string>();
  return units.filter((unit) => (seen.has(unit.messageId) ? false : (seen.add(unit.messageId), true)));
}

export interface PeriodIncrement {
  period: Period;
  counts: Record<Metric, number>;
}

/** New units of one tenant summed per period. */
export function incrementsByPeriod(units: UsageUnit[], tenant: TenantBilling | undefined): PeriodIncrement[] {
  const byStart = new Map<string, PeriodIncrement>();
  for (const unit of units) {
    const period = periodOf(tenant, unit.at);
    const increment = byStart.get(period.start) ?? { period, counts: { events: 0, agent_queries: 0 } };
    increment.counts[unit.metric] += 1;
    byStart.set(period.start, increment);
  }
  return [...byStart.values()];
}

export interface Crossing {
  metric: Metric;
  thresholdPercent: Threshold;
  used: number;
  limit: number;
}

/** `events:80` and the like: what a period's counter records as already announced. */
export const crossingKey = (metric: Metric, threshold: Threshold) => `${metric}:${threshold}`;

/**
 * Thresholds the usage now reaches that were not announced in this period. A zero limit announces
 * nothing (the plan does not offer the metric).
 */
export function crossings(
  used: Record<Metric, number>,
  quotas: Limits,
  announced: ReadonlySet<string>,
): Crossing[] {
  const found: Crossing[] = [];
  for (const metric of METRICS) {
    const limit = limitOf(quotas, metric);
    if (limit <= 0) continue;
    for (const threshold of THRESHOLDS) {
      if (announced.has(crossingKey(metric, threshold))) continue;
      if (used[metric] * 100 >= limit * threshold) {
        found.push({ metric, thresholdPercent: threshold, used: used[metric], limit });
      }
    }
  }
  return found;
}

/** Usage as GET /billing/usage shows it: used, limit and the share of the limit (0..n, 4 decimals). */
export function usageView(used: Record<Metric, number>, state: BillingState) {
  const view = (metric: Metric) => {
    const limit = limitOf(state.quotas, metric);
    return {
      used: used[metric],
      limit,
      share: limit > 0 ? Math.round((used[metric] / limit) * 10_000) / 10_000 : null,
    };
  };
  return { events: view('events'), agent_queries: view('agent_queries') };
}
