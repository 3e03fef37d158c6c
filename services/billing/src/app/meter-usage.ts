/**
 * Usage metered from the bus: ingest's EventReceived and the agent's AgentQueryCompleted, in SQS
 * batches, counted per tenant and billing period, each message once (by its header id), with about
 * two writes per tenant per batch (the dedup set of the messages' time bucket, the period's counter)
 * plus UsageThresholdReached when a batch crosses 80 % or 100 % of a limit. See ../domain/usage.ts for
 * why that is idempotent, and the README ("Usage metering").
 */
import type { AgentQueryCompleted, EventReceived } from '@switchyard/contracts';
import { errorMessage, logger } from '@switchyard/runtime';
import type { BillingStore } from '../adapters/billing-store';
import type {
  DedupPart,
  UsageCounter,
  UsageStore,
  UsageThresholdBody,
  UsageWrite,
} from '../adapters/usage-store';
import { fingerprint } from '../adapters/usage-store';
import { currentState } from '../domain/billing';
import type { PlanCatalogue } from '../domain/plans';
import type { Metric, UsageUnit } from '../domain/usage';
import {
  crossingKey,
  crossings,
  DEDUP_PART_CAPACITY,
  dedupBucket,
  distinctUnits,
  incrementsByPeriod,
} from '../domain/usage';
import { MAX_WRITE_ATTEMPTS } from './links';

export interface MeterDeps {
  usage: UsageStore;
  billing: Pick<BillingStore, 'getTenant'>;
  catalogue: PlanCatalogue;
  now: () => Date;
}

/** A tenant's buckets are written in transactions of at most this many (DynamoDB allows 100 items). */
export const BUCKETS_PER_WRITE = 40;

export type MeteredMessage = EventReceived | AgentQueryCompleted;

/** What one message counts as. */
export function usageUnit(message: MeteredMessage): UsageUnit {
  const isEvent = 'eventId' in message;
  return {
    messageId: message.id,
    tenantId: message.tenantId,
    metric: isEvent ? 'events' : 'agent_queries',
    at: new Date(isEvent ? message.receivedAt : message.completedAt),
    messageTime: new Date(message.time),
  };
}

export interface MeterResult {
  /** Message ids (header) whose tenant's write failed; their records fail and come again. */
  failed: { messageId: string; reason: string; error: unknown }[];
  counted: number;
  duplicates: number;
  writes: number;
}

export async function meterUsage(units: UsageUnit[], deps: MeterDeps): Promise<MeterResult> {
  const byTenant = new Map<string, UsageUnit[]>();
  for (const unit of units) byTenant.set(unit.tenantId, [...(byTenant.get(unit.tenantId) ?? []), unit]);
  const result: MeterResult = { failed: [], counted: 0, duplicates: 0, writes: 0 };
  await Promise.all(
    [...byTenant].map(async ([tenantId, tenantUnits]) => {
      try {
        const counted = await meterTenant(tenantId, tenantUnits, deps);
        result.counted += counted.counted;
        result.duplicates += tenantUnits.length - counted.counted;
        result.writes += counted.writes;
      } catch (error) {
        const reason = `usage of ${tenantId} not counted: ${errorMessage(error)}`;
        result.failed.push(...tenantUnits.map((unit) => ({ messageId: unit.messageId, reason, error })));
      }
    }),
  );
  logger.info('usage_metered', {
    messages: units.length,
    tenants: byTenant.size,
    counted: result.counted,
    duplicates: result.duplicates,
    writes: result.writes,
    failed: result.failed.length,
  });
  return result;
}

async function meterTenant(
  tenantId: string,
  units: UsageUnit[],
  deps: MeterDeps,
): Promise<{ counted: number; writes: number }> {
  const tenant = await deps.billing.getTenant(tenantId, { consistent: false });
  const state = currentState(tenant, deps.catalogue.free);
  const byBucket = new Map<string, UsageUnit[]>();
  for (const unit of distinctUnits(units)) {
    const bucket = dedupBucket(unit.messageTime);
    byBucket.set(bucket, [...(byBucket.get(bucket) ?? []), unit]);
  }
  const buckets = [...byBucket.keys()].sort();
  let counted = 0;
  let writes = 0;
  for (let i = 0; i < buckets.length; i += BUCKETS_PER_WRITE) {
    const chunk = buckets.slice(i, i + BUCKETS_PER_WRITE);
    for (let attempt = 1; ; attempt++) {
      const planned = await planChunk(tenantId, chunk, byBucket, tenant, state, deps);
      if (!planned) break;
      if ((await deps.usage.commit(planned.write)) === 'committed') {
        counted += planned.counted;
        writes += planned.writes;
        break;
      }
      if (attempt >= MAX_WRITE_ATTEMPTS)
        throw new Error(`usage write kept conflicting (${attempt} attempts)`);
      await new Promise((done) => setTimeout(done, Math.random() * 25 * attempt));
    }
  }
  return { counted, writes };
}

async function planChunk(
  tenantId: string,
  buckets: string[],
  byBucket: Map<string, UsageUnit[]>,
  tenant: Awaited<ReturnType<MeterDeps['billing']['getTenant']>>,
  state: ReturnType<typeof currentState>,
  deps: MeterDeps,
): Promise<{ write: UsageWrite; counted: number; writes: number } | undefined> {
  const fresh: UsageUnit[] = [];
  const dedup: UsageWrite['dedup'] = [];
  const parts = await Promise.all(buckets.map((bucket) => deps.usage.readDedup(tenantId, bucket)));
  buckets.forEach((bucket, index) => {
    const existing = parts[index] ?? [];
    const seen = new Set(existing.flatMap((part) => part.fingerprints));
    const newUnits = (byBucket.get(bucket) ?? []).filter((unit) => !seen.has(fingerprint(unit.messageId)));
    if (newUnits.length === 0) return;
    fresh.push(...newUnits);
    dedup.push(
      ...dedupWrites(
        bucket,
        existing,
        newUnits.map((unit) => fingerprint(unit.messageId)),
      ),
    );
  });
  if (fresh.length === 0) return undefined;

  const increments = incrementsByPeriod(fresh, tenant);
  const counters = await Promise.all(
    increments.map((inc) => deps.usage.getCounter(tenantId, inc.period.start)),
  );
  const writesCount = dedup.length + increments.length;
  const announce: UsageThresholdBody[] = [];
  const counterWrites = increments.map((increment, index) => {
    const before = counters[index];
    const used: Record<Metric, number> = {
      events: (before?.used.events ?? 0) + increment.counts.events,
      agent_queries: (before?.used.agent_queries ?? 0) + increment.counts.agent_queries,
    };
    const announced = new Set(before?.announced ?? []);
    const crossed = crossings(used, state.quotas, announced);
    for (const crossing of crossed) {
      announced.add(crossingKey(crossing.metric, crossing.thresholdPercent));
      announce.push({
        tenantId,
        ...crossing,
        plan: state.plan,
        periodStart: increment.period.start,
        ...(increment.period.end ? { periodEnd: increment.period.end } : {}),
        reachedAt: deps.now().toISOString(),
      });
    }
    const counter: UsageCounter = {
      period: increment.period,
      used,
      announced: [...announced].sort(),
      // The whole transaction's writes are charged to its first counter.
      meterWrites: (before?.meterWrites ?? 0) + (index === 0 ? writesCount + crossed.length : crossed.length),
      revision: before?.revision ?? 0,
    };
    return { counter, readRevision: before?.revision };
  });
  return {
    write: { tenantId, dedup, counters: counterWrites, announce },
    counted: fresh.length,
    writes: writesCount + announce.length,
  };
}

/** New fingerprints go into the bucket's last part while it has room, then into new parts. */
function dedupWrites(bucket: string, existing: DedupPart[], fingerprints: string[]): UsageWrite['dedup'] {
  const writes: UsageWrite['dedup'] = [];
  const last = existing.reduce<DedupPart | undefined>((a, b) => (!a || b.part > a.part ? b : a), undefined);
  let rest = fingerprints;
  if (last && last.fingerprints.length < DEDUP_PART_CAPACITY) {
    const room = DEDUP_PART_CAPACITY - last.fingerprints.length;
    writes.push({
      part: { ...last, fingerprints: [...last.fingerprints, ...rest.slice(0, room)] },
      readRevision: last.revision,
    });
    rest = rest.slice(room);
  }
  let next = (last?.part ?? -1) + 1;
  while (rest.length > 0) {
    writes.push({
      part: { bucket, part: next, fingerprints: rest.slice(0, DEDUP_PART_CAPACITY), revision: 0 },
      readRevision: undefined,
    });
    rest = rest.slice(DEDUP_PART_CAPACITY);
    next += 1;
  }
  return writes;
}
