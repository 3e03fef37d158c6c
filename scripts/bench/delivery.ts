// `npm run bench -- delivery`: On one local cloud (identity + ingest + delivery) with
// a local webhook receiver (node HTTP on 127.0.0.1), the whole path producers and subscribers see:
// POST /events → ingest → EventReceived on the bus → fan-out → DeliveryRequested → a signed POST.
//  (a) latency: events published one at a time at a steady pace, each timed from the start of its
//      POST /events to its webhook's arrival at the receiver: p50, p95, p99;
//  (b) throughput: a backlog published in batches (POST /events/batch, 100 events each) as fast as
//      ingest takes them: deliveries/s from the first POST to the last webhook, and while draining.
// Every webhook is verified (standardwebhooks) and counted once by webhook-id; duplicates are reported.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startLocalCloud } from '../../libs/local-cloud/src';
import { sleep } from './lib/proc';
import { raiseTenantLimits } from './lib/entitlement';
import { percentile, post, startReceiver, subscribe, until } from './lib/webhooks';
import type { BenchPart, PartContext, Section } from './lib/types';

/** (a): events published one after another, this many per second. */
const LATENCY_EVENTS = 150;
const LATENCY_PACE_PER_SECOND = 10;
/** (b): the backlog, in batches of 100. */
const THROUGHPUT_EVENTS = 2_000;
const BATCH = 100;
const DRAIN_TIMEOUT_MS = 240_000;

interface Results {
  setup: Record<string, number | string>;
  latency?: { samples: number; p50: number; p95: number; p99: number; max: number; lost: number };
  throughput?: {
    events: number;
    publishS: number;
    endToEndS: number;
    drainS: number;
    perSecond: number;
    drainPerSecond: number;
    lost: number;
  };
  duplicates?: number;
  invalid?: number;
}

async function measure(context: PartContext, results: Results): Promise<void> {
  context.log('starting the local cloud with identity, ingest and delivery');
  const started = performance.now();
  const cloud = await startLocalCloud({
    services: ['identity', 'ingest', 'delivery'],
    port: 0,
    stateDir: join(context.scratchDir, 'cloud'),
    verbose: context.options.verbose,
    timeoutMs: 180_000,
  });
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = await startReceiver(secret);
  try {
    results.setup.cloudReadyS = (performance.now() - started) / 1000;
    if (!cloud.apiKey || !cloud.tenantId) throw new Error(`no demo tenant: ${cloud.missing.join('; ')}`);
    const eventType = `bench.delivery.${Date.now().toString(36)}`;
    await until(
      'the demo key known to ingest',
      async () => (await post(cloud, '/events', { event_type: 'bench.probe', payload: {} })) !== 401,
      60_000,
    );
    await raiseTenantLimits(cloud, { eventsPerMonth: 1_000_000_000, requestsPerSecond: 100_000 });
    await subscribe(cloud, receiver.url, eventType, secret);
    // Warm every function on the path (first invocations bundle and start workers).
    context.log('warming up');
    await until(
      'the raised limits applied',
      async () => (await post(cloud, '/events', { event_type: 'bench.probe', payload: {} })) === 202,
      60_000,
    );
    await sleep(5_500);
    for (let i = 0; i < 20; i++)
      await post(cloud, '/events', { event_type: eventType, payload: { seq: i, run: 'warmup' } });
    await until('the warm-up delivered', () => receiver.arrivals('warmup').length >= 20, 60_000);

    // (a) latency
    context.log(`(a) ${LATENCY_EVENTS} events at ${LATENCY_PACE_PER_SECOND}/s`);
    const sentAt = new Map<number, number>();
    const pace = 1000 / LATENCY_PACE_PER_SECOND;
    const startedA = performance.now();
    for (let seq = 0; seq < LATENCY_EVENTS; seq++) {
      const due = startedA + seq * pace;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      sentAt.set(seq, performance.now() + performance.timeOrigin);
      const status = await post(cloud, '/events', {
        event_type: eventType,
        payload: { seq, run: 'latency' },
      });
      if (status !== 202) throw new Error(`POST /events answered ${status}`);
    }
    await until(
      'every latency event delivered',
      () => receiver.arrivals('latency').length >= LATENCY_EVENTS,
      60_000,
    ).catch(() => undefined);
    const latencies = receiver
      .arrivals('latency')
      .map((a) => a.at - sentAt.get(a.seq)!)
      .sort((a, b) => a - b);
    results.latency = {
      samples: latencies.length,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
      lost: LATENCY_EVENTS - latencies.length,
    };

    // (b) throughput
    context.log(`(b) ${THROUGHPUT_EVENTS} events in batches of ${BATCH}`);
    const startedB = performance.now() + performance.timeOrigin;
    const batches = Array.from({ length: THROUGHPUT_EVENTS / BATCH }, (_, b) =>
      Array.from({ length: BATCH }, (_, i) => ({
        event_type: eventType,
        payload: { seq: b * BATCH + i, run: 'throughput' },
      })),
    );
    await Promise.all(
      [0, 1, 2, 3].map(async (worker) => {
        for (let b = worker; b < batches.length; b += 4) {
          const status = await post(cloud, '/events/batch', { events: batches[b] });
          if (status !== 202) throw new Error(`POST /events/batch answered ${status}`);
        }
      }),
    );
    const published = performance.now() + performance.timeOrigin;
    await until(
      'every throughput event delivered',
      () => receiver.arrivals('throughput').length >= THROUGHPUT_EVENTS,
      DRAIN_TIMEOUT_MS,
    ).catch(() => undefined);
    const arrivals = receiver
      .arrivals('throughput')
      .map((a) => a.at)
      .sort((a, b) => a - b);
    const last = arrivals.at(-1) ?? Number.NaN;
    const first = arrivals[0] ?? Number.NaN;
    results.throughput = {
      events: arrivals.length,
      publishS: (published - startedB) / 1000,
      endToEndS: (last - startedB) / 1000,
      drainS: (last - first) / 1000,
      perSecond: arrivals.length / ((last - startedB) / 1000),
      drainPerSecond: arrivals.length / ((last - first) / 1000),
      lost: THROUGHPUT_EVENTS - arrivals.length,
    };
    const { duplicates, invalid } = receiver.stats();
    results.duplicates = duplicates;
    results.invalid = invalid;
  } finally {
    await receiver.close();
    await cloud.stop();
  }
}

function sections(results: Results, failure: string | undefined): Section[] {
  const ms = (value: number | undefined) => ({
    value: value === undefined ? null : Math.round(value),
    unit: 'ms',
  });
  const l = results.latency;
  const t = results.throughput;
  return [
    {
      id: 'a',
      title: `POST /events → webhook received, ${LATENCY_EVENTS} events at ${LATENCY_PACE_PER_SECOND}/s`,
      figures: [
        { label: 'delivered', value: l?.samples ?? null },
        { label: 'p50', ...ms(l?.p50) },
        { label: 'p95', ...ms(l?.p95) },
        { label: 'p99', ...ms(l?.p99) },
        { label: 'max', ...ms(l?.max) },
        { label: 'not delivered (within 60 s)', value: l?.lost ?? null },
      ],
      goals: l
        ? [
            {
              id: 'a',
              description: 'POST /events → webhook p99 at 10 events/s',
              measured: Math.round(l.p99),
              unit: 'ms',
              comparison: 'below',
              target: 150,
            },
          ]
        : [],
      notes: [
        "Path: ingest's table stream (read at once when a function finishes) → EventReceived on the bus → delivery-<stage>-events → fanOut, which makes the first attempt itself.",
      ],
      ...(failure ? { error: failure } : {}),
    },
    {
      id: 'b',
      title: `${THROUGHPUT_EVENTS} events published in batches of ${BATCH} (4 at a time), one endpoint`,
      figures: [
        { label: 'delivered', value: t?.events ?? null },
        { label: 'publishing took', value: t ? Number(t.publishS.toFixed(2)) : null, unit: 's' },
        { label: 'first POST → last webhook', value: t ? Number(t.endToEndS.toFixed(2)) : null, unit: 's' },
        {
          label: 'deliveries/s (first POST → last webhook)',
          value: t ? Number(t.perSecond.toFixed(1)) : null,
        },
        {
          label: 'deliveries/s (first → last webhook)',
          value: t ? Number(t.drainPerSecond.toFixed(1)) : null,
        },
        { label: 'not delivered (within 240 s)', value: t?.lost ?? null },
        { label: 'duplicate deliveries (same webhook-id)', value: results.duplicates ?? null },
        { label: 'webhooks failing verification', value: results.invalid ?? null },
      ],
      goals: t
        ? [
            {
              id: 'b',
              description: 'deliveries/s, first POST → last webhook',
              measured: Number(t.perSecond.toFixed(1)),
              unit: '/s',
              comparison: 'at-least',
              target: 200,
            },
          ]
        : [],
      notes: [
        `Local cloud ready in ${Number(results.setup.cloudReadyS ?? 0).toFixed(1)} s; the receiver verifies every signature.`,
      ],
    },
  ];
}

export const deliveryPart: BenchPart = {
  name: 'delivery',
  description: 'POST /events → webhook received: latency p50/p99 and deliveries/s on the local cloud',
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
