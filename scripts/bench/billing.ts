// `npm run bench -- billing`: the usage meter on one local cloud (identity + ingest + billing).
//  (a) throughput and write cost: 10,000 EventReceived of one tenant put on the stage's bus as ingest
//      publishes them (PutEvents of 10, 8 at a time), timed from the first put until billing's usage
//      counter holds all 10,000: metered events/s, and the DynamoDB write requests the meter spent per
//      metered event (the counter item records them: dedup parts, counters and outbox items written).
//      Ingest is left out so the figure is billing's, not ingest's (see the ingest part for that).
//  (b) lag: events published through POST /events at a steady pace, each timed from the start of its
//      POST to the moment GET /billing/usage shows it (polled every 50 ms): p50, p99.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { EventReceived } from '../../contracts/src/ingest/event-received';
import { startLocalCloud } from '../../libs/local-cloud/src';
import type { RunningLocalCloud } from '../../libs/local-cloud/src';
import { sleep } from './lib/proc';
import { raiseTenantLimits } from './lib/entitlement';
import type { BenchPart, PartContext, Section } from './lib/types';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const THROUGHPUT_EVENTS = 10_000;
const PUT_CONCURRENCY = 8;
const LAG_EVENTS = 60;
const LAG_PACE_PER_SECOND = 2;
const DRAIN_TIMEOUT_MS = 300_000;
/** A tenant of the bench's own, so its counter holds the bench's events only. */
const BENCH_TENANT = `ten_01BENCH${randomUUID()
  .replace(/-/g, '')
  .slice(0, 18)
  .toUpperCase()
  .replace(/[ILOU]/g, '0')}`;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The calendar month's counter (a tenant without a subscription is on the free plan). */
function periodStart(at = new Date()): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1)).toISOString();
}

interface Results {
  setup: Record<string, unknown>;
  throughput?: { events: number; seconds: number; perSecond: number; writes: number; writesPerEvent: number };
  lag?: { samples: number[] };
}

async function counter(doc: DynamoDBDocumentClient, cloud: RunningLocalCloud, tenantId: string) {
  const { Item } = await doc.send(
    new GetCommand({
      TableName: `billing-${cloud.stage}-usage`,
      Key: { pk: `USAGE#${tenantId}`, sk: `PERIOD#${periodStart()}` },
      ConsistentRead: true,
    }),
  );
  return { events: Number(Item?.events ?? 0), meterWrites: Number(Item?.meterWrites ?? 0) };
}

async function measure(context: PartContext, results: Results): Promise<void> {
  context.log('starting a local cloud with identity, ingest and billing');
  const cloud = await startLocalCloud({ services: ['identity', 'ingest', 'billing'] });
  const events = new EventBridgeClient({
    region: cloud.region,
    endpoint: cloud.endpoints.events,
    credentials: LOCAL_CREDENTIALS,
  });
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: cloud.region,
      endpoint: cloud.endpoints.dynamodb,
      credentials: LOCAL_CREDENTIALS,
    }),
  );
  try {
    if (!cloud.tenantId || !cloud.apiKey) throw new Error(`no demo tenant: ${cloud.missing.join('; ')}`);
    results.setup = { services: cloud.services, tenant: cloud.tenantId, benchTenant: BENCH_TENANT };

    // (a) 10,000 EventReceived on the bus.
    const time = new Date().toISOString();
    const details = Array.from({ length: THROUGHPUT_EVENTS }, (_, i) =>
      EventReceived.schema.parse({
        version: 1,
        id: randomUUID(),
        time,
        tenantId: BENCH_TENANT,
        correlationId: randomUUID(),
        eventId: `evt_bench_${i}`,
        eventType: 'bench.metered',
        source: 'bench',
        receivedAt: time,
        payload: { i },
      }),
    );
    const calls: (typeof details)[] = [];
    for (let i = 0; i < details.length; i += 10) calls.push(details.slice(i, i + 10));
    context.log(`(a) putting ${THROUGHPUT_EVENTS} EventReceived on the bus`);
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PUT_CONCURRENCY }, async () => {
        while (next < calls.length) {
          const batch = calls[next++]!;
          const out = await events.send(
            new PutEventsCommand({
              Entries: batch.map((detail) => ({
                EventBusName: `switchyard-${cloud.stage}-bus`,
                Source: EventReceived.source,
                DetailType: EventReceived.detailType,
                Detail: JSON.stringify(detail),
              })),
            }),
          );
          if (out.FailedEntryCount) throw new Error(`PutEvents failed ${out.FailedEntryCount} entries`);
        }
      }),
    );
    context.log(`(a) put in ${((performance.now() - started) / 1000).toFixed(1)} s; waiting for the meter`);
    let counted = { events: 0, meterWrites: 0 };
    while (counted.events < THROUGHPUT_EVENTS) {
      if (performance.now() - started > DRAIN_TIMEOUT_MS) {
        throw new Error(
          `only ${counted.events} of ${THROUGHPUT_EVENTS} metered within ${DRAIN_TIMEOUT_MS / 1000} s`,
        );
      }
      await sleep(100);
      counted = await counter(doc, cloud, BENCH_TENANT);
    }
    const seconds = (performance.now() - started) / 1000;
    results.throughput = {
      events: counted.events,
      seconds,
      perSecond: counted.events / seconds,
      writes: counted.meterWrites,
      writesPerEvent: counted.meterWrites / counted.events,
    };
    context.log(`(a) ${counted.events} metered in ${seconds.toFixed(1)} s, ${counted.meterWrites} writes`);

    // (b) POST /events → visible in GET /billing/usage.
    await raiseTenantLimits(
      cloud,
      { eventsPerMonth: 1_000_000_000, requestsPerSecond: 100_000 },
      { changedInMs: 60_000 },
    );
    const usage = async () => {
      const response = await fetch(`${cloud.apiUrl}/billing/usage`, {
        headers: { authorization: `Bearer ${cloud.apiKey}` },
      });
      const body = (await response.json()) as { usage?: { events?: { used?: number } } };
      return body.usage?.events?.used ?? -1;
    };
    const post = () =>
      fetch(`${cloud.apiUrl}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${cloud.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ event_type: 'bench.lag', payload: {} }),
      });
    // Warm-up: the first event (and the admin key's projection into billing) is not measured.
    context.log('(b) warming up');
    const base = await (async () => {
      for (let tries = 0; tries < 600; tries++) {
        const used = await usage();
        if (used >= 0) return used;
        await sleep(100);
      }
      throw new Error('GET /billing/usage never answered 200');
    })();
    if ((await post()).status !== 202) throw new Error('POST /events refused the warm-up event');
    let seen = base + 1;
    while ((await usage()) < seen) await sleep(100);
    context.log(`(b) ${LAG_EVENTS} events at ${LAG_PACE_PER_SECOND}/s`);
    const sentAt: number[] = [];
    const visibleAt: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const used = await usage();
        const at = performance.now();
        while (seen < used) {
          seen += 1;
          visibleAt.push(at);
        }
        await sleep(50);
      }
    })();
    for (let i = 0; i < LAG_EVENTS; i++) {
      sentAt.push(performance.now());
      const answer = await post();
      if (answer.status !== 202) throw new Error(`POST /events answered ${answer.status}`);
      await sleep(1000 / LAG_PACE_PER_SECOND);
    }
    const deadline = performance.now() + 60_000;
    while (visibleAt.length < LAG_EVENTS && performance.now() < deadline) await sleep(100);
    polling = false;
    await poller;
    if (visibleAt.length < LAG_EVENTS)
      throw new Error(`only ${visibleAt.length} of ${LAG_EVENTS} became visible`);
    // Counts only grow, so the k-th event to become visible is matched with the k-th sent.
    results.lag = { samples: sentAt.map((at, i) => visibleAt[i]! - at) };
  } finally {
    events.destroy();
    doc.destroy();
    await cloud.stop();
  }
}

function sections(results: Results, failure?: string): Section[] {
  const a: Section = {
    id: 'a',
    title: `${THROUGHPUT_EVENTS} EventReceived metered (one tenant, put on the bus)`,
    figures: [],
    goals: [],
    notes: [
      'Queue billing-<stage>-usage → meterUsage: batches of up to 100 gathered for at most 1 s, 2 pollers (functions/consumers.yml).',
      'Writes: TransactWriteItems items (dedup parts + period counters + outbox items), as recorded by the meter on the counter item.',
    ],
    details: { setup: results.setup },
  };
  if (results.throughput) {
    const t = results.throughput;
    a.figures.push(
      { label: 'metered events', value: t.events },
      { label: 'from first put to all counted', value: Number(t.seconds.toFixed(1)), unit: 's' },
      { label: 'metered events/s', value: Number(t.perSecond.toFixed(0)), unit: '/s' },
      { label: 'DynamoDB writes', value: t.writes },
      { label: 'writes per metered event', value: Number(t.writesPerEvent.toFixed(4)) },
    );
    a.goals.push({
      id: 'billing-writes-per-event',
      description: 'DynamoDB writes per metered event ≤ 0.05',
      measured: Number(t.writesPerEvent.toFixed(4)),
      unit: 'writes/event',
      comparison: 'below',
      target: 0.0501,
    });
  }
  const b: Section = {
    id: 'b',
    title: `POST /events → usage visible in GET /billing/usage (${LAG_EVENTS} events at ${LAG_PACE_PER_SECOND}/s)`,
    figures: [],
    goals: [],
    notes: [
      'Path: ingest stores the event → its outbox publishes EventReceived (stream batch window) → bus → billing-<stage>-usage (1 s batching window) → meterUsage → counter.',
    ],
  };
  if (results.lag) {
    const sorted = [...results.lag.samples].sort((x, y) => x - y);
    b.figures.push(
      { label: 'samples', value: sorted.length },
      { label: 'lag p50', value: Math.round(percentile(sorted, 50)), unit: 'ms' },
      { label: 'lag p99', value: Math.round(percentile(sorted, 99)), unit: 'ms' },
      { label: 'lag max', value: Math.round(sorted.at(-1)!), unit: 'ms' },
    );
    b.details = { samplesMs: results.lag.samples.map(Math.round) };
  }
  if (failure) (results.lag ? b : results.throughput ? b : a).error = failure;
  return [a, b];
}

export const billingPart: BenchPart = {
  name: 'billing',
  description: 'usage metering: 10,000 EventReceived → metered events/s, writes per event, POST → usage lag',
  async run(context) {
    const results: Results = { setup: {} };
    let failure: string | undefined;
    try {
      await measure(context, results);
    } catch (error) {
      failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
    }
    return sections(results, failure);
  },
};
