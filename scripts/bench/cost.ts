// `npm run bench -- cost`: what one event published and delivered to one webhook costs on AWS.
// On one local cloud (identity + ingest + delivery) started with SWITCHYARD_METER_REQUESTS=1, every
// AWS request the functions, the bus and the pollers make goes through a counting proxy
// (libs/local-cloud/src/request-meter.ts). Events are published one per POST /events at a steady
// pace to one subscribed endpoint; the requests, Lambda invocations and durations, and log bytes of
// that window are divided by the events delivered and priced from PRICES below: dollars per
// million events, split by service and by AWS product.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startLocalCloud } from '../../libs/local-cloud/src';
import type { RunningLocalCloud } from '../../libs/local-cloud/src';
import { LOCAL_HEALTH_PATH } from '../../libs/local-cloud/src/lambda-api';
import type { MeteredRequests } from '../../libs/local-cloud/src/request-meter';
import { raiseTenantLimits } from './lib/entitlement';
import { sleep } from './lib/proc';
import type { BenchPart, Figure, Section } from './lib/types';
import { post, startReceiver, subscribe, until } from './lib/webhooks';

const EVENTS = 200;
const PACE_PER_SECOND = 20;
/** The goal: dollars per million events delivered to one endpoint. */
const GOAL_DOLLARS_PER_MILLION = 3;

/**
 * AWS list prices, us-east-1, on-demand, as published in 2025 (check before quoting them): dollars
 * per unit named. Lambda on arm64, as the templates deploy it.
 */
export const PRICES = {
  apiGatewayHttpRequest: 1.0 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaGbSecond: 0.0000133334,
  dynamodbWriteUnit: 0.625 / 1e6,
  dynamodbReadUnit: 0.125 / 1e6,
  /** Reads of a table's stream by a Lambda trigger are not charged. */
  dynamodbStreamRead: 0,
  eventBridgeEvent: 1.0 / 1e6,
  sqsRequest: 0.4 / 1e6,
  snsPublish: 0.5 / 1e6,
  s3Request: 5.0 / 1e6,
  cloudWatchLogsGb: 0.5,
} as const;

/** Published list prices of hosted alternatives, for the comparison line (not per-event figures). */
const ALTERNATIVES = [
  'EventBridge alone: $1.00 per million custom events put on a bus (delivery to targets not included)',
  'Svix: free up to 50,000 messages a month; the first paid tier (Professional) is $490 a month',
  'Hookdeck: free up to 10,000 events; Team $39 a month (5 events/s), Growth $499 a month',
];

interface Health {
  totals: { functionName: string; invocations: number; durationMs: number; memorySize: number }[];
  requests?: MeteredRequests[];
}

async function health(cloud: RunningLocalCloud): Promise<Health> {
  const response = await fetch(`${cloud.endpoints.lambda}${LOCAL_HEALTH_PATH}?minutes=1`);
  if (!response.ok) throw new Error(`local health answered ${response.status}`);
  return (await response.json()) as Health;
}

/** The service a table, queue, event source or function belongs to: names start with it. */
const serviceOf = (name: string) => name.replace(/^switchyard\./, '').split(/[-.]/)[0] ?? name;

export interface CostLine {
  service: string;
  product: string;
  /** Units per event (requests, GB-seconds, write units ...). */
  unitsPerEvent: number;
  unit: string;
  dollarsPerMillion: number;
}

/** Prices the measured window. Exported for its unit test. */
export function priceWindow(input: {
  events: number;
  apiRequests: number;
  requests: MeteredRequests[];
  functions: Health['totals'];
  logBytesByFunction: Map<string, number>;
}): CostLine[] {
  const lines = new Map<string, CostLine>();
  const add = (service: string, product: string, unit: string, units: number, price: number) => {
    const key = `${service}/${product}`;
    const line = lines.get(key) ?? { service, product, unit, unitsPerEvent: 0, dollarsPerMillion: 0 };
    line.unitsPerEvent += units / input.events;
    line.dollarsPerMillion += ((units * price) / input.events) * 1e6;
    lines.set(key, line);
  };
  add('ingest', 'API Gateway', 'requests', input.apiRequests, PRICES.apiGatewayHttpRequest);
  for (const fn of input.functions) {
    const service = serviceOf(fn.functionName);
    add(service, 'Lambda requests', 'invocations', fn.invocations, PRICES.lambdaRequest);
    const gbSeconds = (fn.durationMs / 1000) * (fn.memorySize / 1024);
    add(service, 'Lambda duration', 'GB-s', gbSeconds, PRICES.lambdaGbSecond);
    const logBytes = input.logBytesByFunction.get(fn.functionName) ?? 0;
    add(service, 'CloudWatch Logs', 'bytes', logBytes, PRICES.cloudWatchLogsGb / 1024 ** 3);
  }
  for (const r of input.requests) {
    const service = serviceOf(r.resource);
    if (r.service === 'dynamodb') {
      const write = /Put|Update|Delete|Write/.test(r.operation);
      add(
        service,
        write ? 'DynamoDB writes' : 'DynamoDB reads',
        write ? 'write units' : 'read units',
        r.units,
        write ? PRICES.dynamodbWriteUnit : PRICES.dynamodbReadUnit,
      );
    } else if (r.service === 'events') {
      add(service, 'EventBridge', 'events', r.units, PRICES.eventBridgeEvent);
    } else if (r.service === 'sqs' && !r.operation.endsWith('(idle)')) {
      add(service, 'SQS', 'requests', r.units, PRICES.sqsRequest);
    } else if (r.service === 'sns') {
      add(service, 'SNS', 'requests', r.units, PRICES.snsPublish);
    } else if (r.service === 's3') {
      add(service, 'S3', 'requests', r.units, PRICES.s3Request);
    }
  }
  return [...lines.values()].filter((line) => line.unitsPerEvent > 0);
}

/** after - before, per counter. */
function difference(before: Health, after: Health) {
  const key = (r: MeteredRequests) => `${r.service}|${r.operation}|${r.resource}`;
  const earlier = new Map((before.requests ?? []).map((r) => [key(r), r]));
  const requests = (after.requests ?? []).map((r) => ({
    ...r,
    requests: r.requests - (earlier.get(key(r))?.requests ?? 0),
    units: r.units - (earlier.get(key(r))?.units ?? 0),
  }));
  const earlierFns = new Map(before.totals.map((f) => [f.functionName, f]));
  const functions = after.totals.map((f) => ({
    ...f,
    invocations: f.invocations - (earlierFns.get(f.functionName)?.invocations ?? 0),
    durationMs: f.durationMs - (earlierFns.get(f.functionName)?.durationMs ?? 0),
  }));
  return {
    requests: requests.filter((r) => r.requests > 0),
    functions: functions.filter((f) => f.invocations > 0),
  };
}

/** Bytes each function wrote to its log (`[name] line`) in `output`. */
function logBytes(output: string, functionNames: string[]): Map<string, number> {
  const bytes = new Map<string, number>();
  for (const line of output.split('\n')) {
    const match = /^\[([^\]]+)\] /.exec(line);
    if (match && functionNames.includes(match[1]!)) {
      bytes.set(match[1]!, (bytes.get(match[1]!) ?? 0) + Buffer.byteLength(line) - match[0].length + 1);
    }
  }
  return bytes;
}

interface Results {
  delivered?: number;
  lines?: CostLine[];
  requests?: MeteredRequests[];
  functions?: Health['totals'];
  idleReceivesPerSecond?: number;
  windowSeconds?: number;
}

async function measure(context: Parameters<BenchPart['run']>[0], results: Results): Promise<void> {
  context.log('starting the local cloud (identity, ingest, delivery) with request metering');
  const cloud = await startLocalCloud({
    services: ['identity', 'ingest', 'delivery'],
    stateDir: join(context.scratchDir, 'cloud'),
    env: { SWITCHYARD_METER_REQUESTS: '1' },
    verbose: context.options.verbose,
    timeoutMs: 180_000,
  });
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = await startReceiver(secret);
  try {
    if (!cloud.apiKey) throw new Error(`no demo tenant: ${cloud.missing.join('; ')}`);
    const eventType = `bench.cost.${Date.now().toString(36)}`;
    await raiseTenantLimits(cloud, { eventsPerMonth: 1_000_000_000, requestsPerSecond: 100_000 });
    await subscribe(cloud, receiver.url, eventType, secret);
    await until(
      'the raised limits applied',
      async () => (await post(cloud, '/events', { event_type: 'bench.probe', payload: {} })) === 202,
      60_000,
    );
    await sleep(5_500);
    context.log('warming up');
    for (let i = 0; i < 20; i++)
      await post(cloud, '/events', { event_type: eventType, payload: { seq: i, run: 'warmup' } });
    await until('the warm-up delivered', () => receiver.arrivals('warmup').length >= 20, 60_000);
    await sleep(3_000);

    const before = await health(cloud);
    const outputBefore = cloud.output().length;
    const started = performance.now();
    context.log(`${EVENTS} events at ${PACE_PER_SECOND}/s, one POST /events each`);
    for (let seq = 0; seq < EVENTS; seq++) {
      const wait = started + (seq * 1000) / PACE_PER_SECOND - performance.now();
      if (wait > 0) await sleep(wait);
      const status = await post(cloud, '/events', { event_type: eventType, payload: { seq, run: 'cost' } });
      if (status !== 202) throw new Error(`POST /events answered ${status}`);
    }
    await until('every event delivered', () => receiver.arrivals('cost').length >= EVENTS, 120_000).catch(
      () => undefined,
    );
    // What follows a delivery (outbox clean-up, the stream's last batches) lands in the window too.
    await sleep(3_000);
    const after = await health(cloud);
    results.windowSeconds = (performance.now() - started) / 1000;
    results.delivered = receiver.arrivals('cost').length;
    const { requests, functions } = difference(before, after);
    results.requests = requests;
    results.functions = functions;
    const idle = requests
      .filter((r) => r.operation.endsWith('(idle)'))
      .reduce((sum, r) => sum + r.requests, 0);
    results.idleReceivesPerSecond = idle / results.windowSeconds;
    results.lines = priceWindow({
      events: Math.max(1, results.delivered),
      apiRequests: EVENTS,
      requests,
      functions,
      logBytesByFunction: logBytes(
        cloud.output().slice(outputBefore),
        functions.map((f) => f.functionName),
      ),
    });
  } finally {
    await receiver.close();
    await cloud.stop();
  }
}

function sections(results: Results, failure: string | undefined): Section[] {
  const lines = results.lines ?? [];
  const total = lines.reduce((sum, line) => sum + line.dollarsPerMillion, 0);
  const sum = (pick: (line: CostLine) => string) => {
    const by = new Map<string, number>();
    for (const line of lines) by.set(pick(line), (by.get(pick(line)) ?? 0) + line.dollarsPerMillion);
    return [...by.entries()].sort((a, b) => b[1] - a[1]);
  };
  const dollars = (value: number) => Number(value.toFixed(3));
  const byProduct = sum((line) => line.product);
  const figures: Figure[] = [
    { label: 'events delivered (of published)', value: `${results.delivered ?? 0} of ${EVENTS}` },
    { label: 'total', value: dollars(total), unit: '$ per million events' },
    ...sum((line) => line.service).map(([service, value]) => ({
      label: `service: ${service}`,
      value: dollars(value),
      unit: '$/M',
    })),
    ...byProduct.map(([product, value]) => ({
      label: `product: ${product}`,
      value: dollars(value),
      unit: '$/M',
    })),
    ...lines
      .sort((a, b) => b.dollarsPerMillion - a.dollarsPerMillion)
      .map((line) => ({
        label: `${line.service} ${line.product}`,
        value: `${Number(line.unitsPerEvent.toPrecision(3))} ${line.unit}/event = $${dollars(line.dollarsPerMillion)}/M`,
      })),
  ];
  return [
    {
      id: 'a',
      title: `One event published (POST /events) and delivered to one webhook: AWS cost per million events`,
      figures,
      goals: results.lines
        ? [
            {
              id: 'cost-per-million',
              description: 'dollars per million events delivered to one endpoint',
              measured: dollars(total),
              unit: '$',
              comparison: 'below',
              target: GOAL_DOLLARS_PER_MILLION,
            },
          ]
        : [],
      notes: [
        `Dominated by: ${byProduct
          .slice(0, 3)
          .map(([product, value]) => `${product} ($${dollars(value)}/M)`)
          .join(', ')}.`,
        'Requests are counted by a proxy in front of the emulators; prices are us-east-1 list prices (scripts/bench/cost.ts PRICES). ' +
          'Lambda duration is measured locally (2 cores shared with DynamoDB Local), which overstates it against Lambda; ' +
          'an UpdateItem counts one write unit whatever its size.',
        `Empty ReceiveMessage polls are a fixed cost per queue, not per event, and are left out (${(results.idleReceivesPerSecond ?? 0).toFixed(1)}/s locally, where pollers poll every 250 ms; Lambda's long polling makes far fewer).`,
        ...ALTERNATIVES,
      ],
      details: { requests: results.requests, functions: results.functions },
      ...(failure ? { error: failure } : {}),
    },
  ];
}

export const costPart: BenchPart = {
  name: 'cost',
  description:
    'AWS requests behind one event published and delivered, priced: $ per million events by service',
  async run(context) {
    const results: Results = {};
    let failure: string | undefined;
    try {
      await measure(context, results);
    } catch (error) {
      failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
    }
    return sections(results, failure);
  },
};
