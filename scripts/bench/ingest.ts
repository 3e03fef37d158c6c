// `npm run bench -- ingest`: On one local cloud (identity + ingest), in one run:
//  (a) POST /events with 1 KB events at 16 and 64 connections: accepted (202) events/s, p50/p95/p99;
//  (b) the raw PutItem rate of the same DynamoDB Local, 1 KB items, same connections and duration;
//  (c) ingest events/s ÷ raw PutItem/s at each concurrency (goal ≥ 0.3);
//  (d) DynamoDB writes per accepted event from the cloud's `write_cost` log lines (goal ≤ 1.1), and a
//      short extra run with Idempotency-Key headers for comparison.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Agent } from 'node:http';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  PutItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startLocalCloud } from '../../libs/local-cloud/src';
import type { RunningLocalCloud } from '../../libs/local-cloud/src';
import { KEY_SHARE_OF_TENANT_RATE, rateLimitPolicy } from '../../services/ingest/src/domain/rate-limit';
import { readFileSync } from 'node:fs';
import { LOOPBACK, processTree, sleep, treeCpuSeconds, treeMemory } from './lib/proc';
import { raiseTenantLimits } from './lib/entitlement';
import type { BenchPart, PartContext, Section } from './lib/types';

const RATIO_GOAL = 0.3;
const WRITES_PER_EVENT_GOAL = 1.1;
/** Node CPU (the cloud's node processes, DynamoDB Local's Java excluded) per accepted event. */
const NODE_CPU_MICROS_GOAL = 1_500;
const CONCURRENCIES = [16, 64] as const;
/** The entitlement the bench gives the demo tenant: far above anything this machine can send. */
const BENCH_REQUESTS_PER_SECOND = 100_000;
const BENCH_EVENTS_PER_MONTH = 1_000_000_000;
/** The request body of every event, and the raw item's data: exactly this many bytes of JSON. */
const EVENT_BYTES = 1024;
/** The extra run with Idempotency-Key headers: short, one concurrency. */
const KEYED_CONNECTIONS = 16;
const KEYED_SECONDS = 3;
/** Before each measurement, wait until the cloud's CPU is back near idle (the outbox drains), at most this long. */
const QUIET_TIMEOUT_MS = 60_000;
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** CPU ticks (user + system) of each live process of a tree, with its name. */
function cpuSnapshot(pid: number): Map<number, { name: string; ticks: number }> {
  const out = new Map<number, { name: string; ticks: number }>();
  for (const member of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(member, { name, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited meanwhile, or no /proc
    }
  }
  return out;
}

/** Cores each process name of the tree used between two snapshots (assumes 100 ticks/s, Linux's USER_HZ). */
function coresByProcess(
  before: Map<number, { name: string; ticks: number }>,
  after: Map<number, { name: string; ticks: number }>,
  seconds: number,
): Record<string, number> {
  const cores: Record<string, number> = {};
  for (const [pid, { name, ticks }] of after) {
    const used = ticks - (before.get(pid)?.ticks ?? 0);
    cores[name] = (cores[name] ?? 0) + used / 100 / seconds;
  }
  return cores;
}

/** Busy CPU ticks of the whole machine (all processes, /proc/stat), to show what else ran meanwhile. */
function machineBusyTicks(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return Number.NaN;
  }
}

/** Adds `other processes`: the machine's busy cores minus the cloud's and this process's. */
function withOthers(
  cores: Record<string, number>,
  busyTicks: number,
  seconds: number,
): Record<string, number> {
  const machine = (machineBusyTicks() - busyTicks) / 100 / seconds;
  const ours = Object.values(cores).reduce((sum, n) => sum + n, 0);
  if (Number.isFinite(machine)) cores['other processes'] = Math.max(0, machine - ours);
  return cores;
}

function coresText(cores: Record<string, number>): string {
  return Object.entries(cores)
    .filter(([name, n]) => n >= 0.005 || name === 'other processes')
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n.toFixed(2)}`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// Latency percentiles and the HTTP load (autocannon, with our own per-response accounting)

interface Latency {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of latencies in ms (sorted in place). */
function latencyOf(samples: number[]): Latency {
  if (samples.length === 0) return { mean: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  samples.sort((a, b) => a - b);
  const at = (p: number) => samples[Math.min(samples.length - 1, Math.ceil((p / 100) * samples.length) - 1)]!;
  return {
    mean: samples.reduce((sum, v) => sum + v, 0) / samples.length,
    p50: at(50),
    p95: at(95),
    p99: at(99),
    max: samples[samples.length - 1]!,
  };
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

type AutocannonInstance = PromiseLike<AutocannonResult> & {
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void,
  ): void;
};

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  timeout?: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: (AutocannonRequest & { setupRequest?: (request: AutocannonRequest) => AutocannonRequest })[];
}) => AutocannonInstance;

// autocannon ships no types; this is the part of its API this part uses.
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

interface HttpRun {
  connections: number;
  durationSeconds: number;
  /** 202 responses (the only ones counted as accepted). */
  accepted: number;
  acceptedPerSecond: number;
  /** Responses by status code, 202 included. */
  statuses: Record<string, number>;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Latency of the 202 responses. */
  latencyMs: Latency;
  /** CPU of the cloud's process tree (gateway, workers, emulators, DynamoDB Local) per accepted event. */
  cloudCpuMicrosPerEvent: number;
  /** CPU of the cloud's node processes only (gateway, function workers, pollers) per accepted event. */
  nodeCpuMicrosPerEvent: number;
  /** CPU of this process (the load generator) per response. */
  generatorCpuMicrosPerRequest: number;
  /** Cores used during the run by each process of the cloud's tree, and by this process. */
  cores: Record<string, number>;
}

async function postEvents(
  cloud: RunningLocalCloud,
  options: { connections: number; durationSeconds: number; body: string; idempotencyKeys: boolean },
): Promise<HttpRun> {
  const url = `${cloud.apiUrl}/events`;
  const { hostname } = new URL(url);
  if (hostname !== LOOPBACK && hostname !== 'localhost' && hostname !== '[::1]') {
    throw new Error(`load tests run on loopback only, not ${url}`);
  }
  const headers = { authorization: `Bearer ${cloud.apiKey}`, 'content-type': 'application/json' };
  const samples: number[] = [];
  const statuses: Record<string, number> = {};
  const cloudCpu = treeCpuSeconds(cloud.pid);
  const snapshot = cpuSnapshot(cloud.pid);
  const busy = machineBusyTicks();
  const generatorCpu = process.cpuUsage();
  const instance = autocannon({
    url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
    method: 'POST',
    headers,
    body: options.body,
    ...(options.idempotencyKeys
      ? {
          requests: [
            {
              method: 'POST',
              setupRequest: (request) => ({
                ...request,
                headers: { ...headers, 'idempotency-key': `bench-${randomUUID()}` },
              }),
            },
          ],
        }
      : {}),
  });
  instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
    statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    if (statusCode === 202) samples.push(responseTimeMs);
  });
  const result = await instance;
  const cloudCpuSeconds = treeCpuSeconds(cloud.pid) - cloudCpu;
  const generator = process.cpuUsage(generatorCpu);
  const cores = coresByProcess(snapshot, cpuSnapshot(cloud.pid), result.duration);
  cores['bench (load generator)'] = (generator.user + generator.system) / 1e6 / result.duration;
  withOthers(cores, busy, result.duration);
  const accepted = statuses['202'] ?? 0;
  const responses = Object.values(statuses).reduce((sum, n) => sum + n, 0);
  return {
    connections: options.connections,
    durationSeconds: result.duration,
    accepted,
    acceptedPerSecond: accepted / result.duration,
    statuses,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: latencyOf(samples),
    cloudCpuMicrosPerEvent: (cloudCpuSeconds * 1e6) / Math.max(1, accepted),
    nodeCpuMicrosPerEvent:
      (Object.entries(cores)
        .filter(([name]) => name.startsWith('node'))
        .reduce((sum, [, used]) => sum + used, 0) *
        result.duration *
        1e6) /
      Math.max(1, accepted),
    generatorCpuMicrosPerRequest: (generator.user + generator.system) / Math.max(1, responses),
    cores,
  };
}

// ---------------------------------------------------------------------------------------------
// Raw PutItem load on the same DynamoDB Local, with the SDK

interface PutRun {
  connections: number;
  durationSeconds: number;
  puts: number;
  putsPerSecond: number;
  errors: number;
  firstError?: string;
  latencyMs: Latency;
  cloudCpuMicrosPerPut: number;
  generatorCpuMicrosPerRequest: number;
  cores: Record<string, number>;
}

function dynamoClient(cloud: RunningLocalCloud, maxSockets: number): DynamoDBClient {
  return new DynamoDBClient({
    region: cloud.region,
    endpoint: cloud.endpoints.dynamodb,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1, // count every failure; no retry hides one
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ keepAlive: true, maxSockets }),
      requestTimeout: 10_000,
    }),
  });
}

/** `connections` loops, each one PutItem at a time, until the deadline (new key per item). */
async function putItems(
  cloud: RunningLocalCloud,
  client: DynamoDBClient,
  table: string,
  options: { connections: number; durationSeconds: number; data: string; prefix: string },
): Promise<PutRun> {
  const samples: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const cloudCpu = treeCpuSeconds(cloud.pid);
  const snapshot = cpuSnapshot(cloud.pid);
  const busy = machineBusyTicks();
  const generatorCpu = process.cpuUsage();
  const started = performance.now();
  const deadline = started + options.durationSeconds * 1000;
  const maxPerLoop = 1_000_000; // a bound on each loop besides the deadline
  const loop = async (worker: number) => {
    for (let i = 0; i < maxPerLoop && performance.now() < deadline; i += 1) {
      const sent = performance.now();
      try {
        await client.send(
          new PutItemCommand({
            TableName: table,
            Item: { pk: { S: `${options.prefix}-${worker}-${i}` }, data: { S: options.data } },
          }),
        );
        if (performance.now() <= deadline) samples.push(performance.now() - sent);
      } catch (error) {
        errors += 1;
        firstError ??= errorText(error);
        await sleep(10);
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, (_, worker) => loop(worker)));
  const cloudCpuSeconds = treeCpuSeconds(cloud.pid) - cloudCpu;
  const generator = process.cpuUsage(generatorCpu);
  const elapsed = (performance.now() - started) / 1000;
  const cores = coresByProcess(snapshot, cpuSnapshot(cloud.pid), elapsed);
  cores['bench (load generator)'] = (generator.user + generator.system) / 1e6 / elapsed;
  withOthers(cores, busy, elapsed);
  // Only puts answered before the deadline count, as autocannon counts only responses within its duration.
  const puts = samples.length;
  return {
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    puts,
    putsPerSecond: puts / options.durationSeconds,
    errors,
    firstError,
    latencyMs: latencyOf(samples),
    cloudCpuMicrosPerPut: (cloudCpuSeconds * 1e6) / Math.max(1, puts),
    generatorCpuMicrosPerRequest: (generator.user + generator.system) / Math.max(1, puts + errors),
    cores,
  };
}

// ---------------------------------------------------------------------------------------------
// write_cost lines from the cloud's output, read as they arrive

interface WriteCost {
  /** write_cost lines (one per request that stored or deduplicated an event). */
  requests: number;
  /** Sum of `events` (accepted, not duplicates). */
  events: number;
  dynamodbWrites: number;
  dynamodbWriteUnits: number;
  /** POST /events 202s: latencyMs the handler logged (its own time, in its worker). */
  handlerMs: number[];
  /** POST /events 202s: the gateway's time (queueing for a free worker + handler). */
  gatewayMs: number[];
}

/** The gateway's line per request (libs/local-cloud/src/runner/gateway/http-gateway.ts). */
const GATEWAY_LINE = /\[gateway\] POST \/events 202 (\d+)ms\s*$/;
/** The runtime's `http request` line (libs/runtime/src/http-handler.ts). */
const HANDLER_LATENCY = /"latencyMs":(\d+)/;

/**
 * Reads `write_cost` lines from `cloud.output()` every 100 ms and adds them to the current phase.
 * The cloud keeps only its last 1-2 MB of output (and a loaded run prints several MB), so lines are
 * consumed as they come; if the buffer was trimmed past what was read, `lost` is set.
 */
class WriteCostTap {
  private offset = 0;
  private anchor = '';
  private timer: NodeJS.Timeout | undefined;
  private phase: WriteCost | undefined;
  lost = false;
  unparsable = 0;

  constructor(private readonly output: () => string) {
    this.offset = output().length;
    this.anchor = output().slice(Math.max(0, this.offset - 400), this.offset);
    this.timer = setInterval(() => this.poll(), 100);
  }

  /** Reads what arrived, then counts later lines into a new phase (none: ignore them). */
  start(): WriteCost {
    this.poll();
    this.phase = {
      requests: 0,
      events: 0,
      dynamodbWrites: 0,
      dynamodbWriteUnits: 0,
      handlerMs: [],
      gatewayMs: [],
    };
    return this.phase;
  }

  stop(): void {
    this.poll();
    this.phase = undefined;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private poll(): void {
    const out = this.output();
    if (out.slice(this.offset - this.anchor.length, this.offset) !== this.anchor) {
      // The buffer was trimmed from the front: find where we were.
      const at = this.anchor ? out.lastIndexOf(this.anchor) : -1;
      if (at < 0) {
        this.lost = true;
        this.offset = 0;
      } else this.offset = at + this.anchor.length;
    }
    const end = out.lastIndexOf('\n');
    if (end < this.offset) return;
    const text = out.slice(this.offset, end + 1);
    this.offset = end + 1;
    this.anchor = out.slice(Math.max(0, this.offset - 400), this.offset);
    if (!this.phase) return;
    for (const line of text.split('\n')) {
      const gateway = GATEWAY_LINE.exec(line);
      if (gateway) {
        this.phase.gatewayMs.push(Number(gateway[1]));
        continue;
      }
      if (line.includes('"http request"') && line.includes('"route":"POST /events"')) {
        const handler = HANDLER_LATENCY.exec(line);
        if (handler && line.includes('"status":202')) this.phase.handlerMs.push(Number(handler[1]));
        continue;
      }
      if (!line.includes('"write_cost"')) continue;
      try {
        const cost = JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>;
        this.phase.requests += 1;
        this.phase.events += Number(cost.events ?? 0);
        this.phase.dynamodbWrites += Number(cost.dynamodbWrites ?? 0);
        this.phase.dynamodbWriteUnits += Number(cost.dynamodbWriteUnits ?? 0);
      } catch {
        this.unparsable += 1;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Setup: a known key, the tenant's limits raised, a quiet cloud

/** The request body: `{ event_type, source, payload }` of exactly EVENT_BYTES bytes. */
function eventBody(): string {
  const shape = (filler: string) =>
    JSON.stringify({ event_type: 'bench.ingest', source: 'bench', payload: { kind: 'load', filler } });
  const body = shape('x'.repeat(EVENT_BYTES - shape('').length));
  if (Buffer.byteLength(body) !== EVENT_BYTES) throw new Error('event body is not 1 KB');
  return body;
}

async function post(cloud: RunningLocalCloud, body: string): Promise<number> {
  const response = await fetch(`${cloud.apiUrl}/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cloud.apiKey}`, 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  return response.status;
}

/** Polls `attempt` every everyMs until it returns true; throws `what` after timeoutMs. */
async function until(
  what: string,
  attempt: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 500,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < 1_000; i += 1) {
    if (await attempt()) return performance.now() - started;
    if (performance.now() - started > timeoutMs) break;
    await sleep(everyMs);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
}

/** A burst well above the default plan (10 requests/s per tenant, 5 per key): all 202, no 429? */
async function burstPasses(cloud: RunningLocalCloud, body: string): Promise<boolean> {
  const statuses = await Promise.all(Array.from({ length: 40 }, () => post(cloud, body).catch(() => 0)));
  return statuses.every((status) => status === 202);
}

/** CPU of the cloud's process tree, in cores, over `ms`. */
async function cloudCores(cloud: RunningLocalCloud, ms: number): Promise<number> {
  const before = treeCpuSeconds(cloud.pid);
  await sleep(ms);
  return (treeCpuSeconds(cloud.pid) - before) / (ms / 1000);
}

/** Waits until the cloud is back near its idle CPU (stream pollers and the outbox drained). */
async function quiet(cloud: RunningLocalCloud, idleCores: number): Promise<{ ms: number; cores: number }> {
  const started = performance.now();
  let cores = Number.NaN;
  while (performance.now() - started < QUIET_TIMEOUT_MS) {
    cores = await cloudCores(cloud, 1_000);
    if (cores <= idleCores + 0.1) break;
  }
  return { ms: performance.now() - started, cores };
}

// ---------------------------------------------------------------------------------------------
// The part

interface Results {
  setup: Record<string, unknown>;
  ingest: Record<number, HttpRun>;
  raw: Record<number, PutRun>;
  writes: Record<number, WriteCost>;
  keyed?: { run: HttpRun; writes: WriteCost };
  quietBefore: Record<string, { ms: number; cores: number }>;
  tapLost: boolean;
  tapUnparsable: number;
}

function latencyText(latency: Latency): string {
  const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(v >= 100 ? 0 : 1) : 'n/a');
  return `${ms(latency.p50)} / ${ms(latency.p95)} / ${ms(latency.p99)}`;
}

function percentiles(samples: number[]): string {
  const latency = latencyOf([...samples]);
  return `${latency.p50} / ${latency.p95}`;
}

function statusText(statuses: Record<string, number>): string {
  const other = Object.entries(statuses).filter(([code]) => code !== '202');
  return other.length === 0 ? 'none' : other.map(([code, n]) => `${n} x ${code}`).join(', ');
}

async function measure(context: PartContext, results: Results): Promise<void> {
  const { options } = context;
  const body = eventBody();
  context.log('starting the local cloud with identity and ingest');
  const started = performance.now();
  const stateDir = join(context.scratchDir, 'cloud');
  const cloud = await startLocalCloud({
    services: ['identity', 'ingest'],
    port: 0,
    stateDir,
    verbose: context.options.verbose,
    timeoutMs: 180_000,
  });
  const tap = new WriteCostTap(() => cloud.output());
  const table = `bench-raw-puts-${process.pid}`;
  const dynamo = dynamoClient(cloud, Math.max(...CONCURRENCIES));
  let tableCreated = false;
  try {
    results.setup.cloudReadyS = (performance.now() - started) / 1000;
    if (!cloud.apiKey || !cloud.tenantId) {
      throw new Error(`the local cloud seeded no demo tenant: ${cloud.missing.join('; ')}`);
    }
    results.setup.tenantId = cloud.tenantId;

    // The demo key reaches ingest's projection through identity's ApiKeyCreated on the bus.
    results.setup.keyKnownS =
      (await until(
        'the demo API key known to ingest',
        async () => (await post(cloud, body)) !== 401,
        60_000,
      )) / 1000;

    context.log(
      `raising the demo tenant's limits: SubscriptionChanged (${BENCH_REQUESTS_PER_SECOND} requests/s, ` +
        `${BENCH_EVENTS_PER_MONTH} events/month) on switchyard-${cloud.stage}-bus`,
    );
    const published = performance.now();
    results.setup.subscriptionChanged = await raiseTenantLimits(cloud, {
      eventsPerMonth: BENCH_EVENTS_PER_MONTH,
      requestsPerSecond: BENCH_REQUESTS_PER_SECOND,
    });
    await until(
      'the raised limits applied (a 40-request burst without 429)',
      () => burstPasses(cloud, body),
      60_000,
    );
    results.setup.limitsAppliedS = (performance.now() - published) / 1000;
    // Each function instance may reuse the old entitlement for 5 s: wait that out, then check again.
    await sleep(5_500);
    await until('the raised limits applied in every instance', () => burstPasses(cloud, body), 30_000);
    const policy = rateLimitPolicy(BENCH_REQUESTS_PER_SECOND);
    results.setup.rateLimit = {
      tenantRequestsPerSecond: policy.tenantLimit / policy.windowSeconds,
      keyShareOfTenantRate: KEY_SHARE_OF_TENANT_RATE,
      keyRequestsPerSecond: policy.keyLimit / policy.windowSeconds,
      defaultKeyRequestsPerSecond: rateLimitPolicy(10).keyLimit,
    };

    await dynamo.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
    tableCreated = true;
    await waitUntilTableExists({ client: dynamo, maxWaitTime: 30 }, { TableName: table });

    const idle = await cloudCores(cloud, 2_000);
    results.setup.idleCloudCores = idle;
    results.setup.memoryBeforeLoadMb = treeMemory(cloud.pid).totalMb;

    for (const connections of CONCURRENCIES) {
      // Raw PutItem first, on a quiet cloud, so ingest's outbox backlog does not slow it down.
      results.quietBefore[`raw-${connections}`] = await quiet(cloud, idle);
      context.log(
        `raw PutItem: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s at ${connections} connections`,
      );
      if (options.warmupSeconds > 0) {
        await putItems(cloud, dynamo, table, {
          connections,
          durationSeconds: options.warmupSeconds,
          data: body,
          prefix: `warm${connections}`,
        });
      }
      const raw = await putItems(cloud, dynamo, table, {
        connections,
        durationSeconds: options.durationSeconds,
        data: body,
        prefix: `c${connections}`,
      });
      results.raw[connections] = raw;
      context.log(`raw PutItem at ${connections}: ${Math.round(raw.putsPerSecond)} puts/s`);

      results.quietBefore[`ingest-${connections}`] = await quiet(cloud, idle);
      context.log(
        `POST /events: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s at ${connections} connections`,
      );
      if (options.warmupSeconds > 0) {
        await postEvents(cloud, {
          connections,
          durationSeconds: options.warmupSeconds,
          body,
          idempotencyKeys: false,
        });
        await sleep(1_000); // let the warm-up's last log lines arrive before counting starts
      }
      const writes = tap.start();
      const run = await postEvents(cloud, {
        connections,
        durationSeconds: options.durationSeconds,
        body,
        idempotencyKeys: false,
      });
      await sleep(1_500); // requests autocannon abandoned at the end still log their write_cost
      tap.stop();
      results.ingest[connections] = run;
      results.writes[connections] = writes;
      context.log(
        `POST /events at ${connections}: ${Math.round(run.acceptedPerSecond)} accepted/s, ` +
          `${(writes.dynamodbWrites / Math.max(1, writes.events)).toFixed(2)} writes/event`,
      );
    }

    results.quietBefore.keyed = await quiet(cloud, idle);
    context.log(`POST /events with Idempotency-Key: ${KEYED_SECONDS} s at ${KEYED_CONNECTIONS} connections`);
    const keyedWrites = tap.start();
    const keyedRun = await postEvents(cloud, {
      connections: KEYED_CONNECTIONS,
      durationSeconds: KEYED_SECONDS,
      body,
      idempotencyKeys: true,
    });
    await sleep(1_500);
    tap.stop();
    results.keyed = { run: keyedRun, writes: keyedWrites };
    results.setup.memoryAfterLoadMb = treeMemory(cloud.pid).totalMb;
  } finally {
    results.tapLost = tap.lost;
    results.tapUnparsable = tap.unparsable;
    tap.close();
    if (tableCreated) await dynamo.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
    dynamo.destroy();
    await cloud.stop();
  }
}

function sections(context: PartContext, results: Results, failure: string | undefined): Section[] {
  const { options } = context;
  const setup = results.setup;
  const rate = setup.rateLimit as Record<string, number> | undefined;

  const ingest: Section = {
    id: 'a',
    title: `POST /events, 1 KB events, no idempotency key (${options.durationSeconds} s after ${options.warmupSeconds} s warm-up)`,
    figures: [],
    goals: [],
    notes: [
      'local cloud with identity + ingest (startLocalCloud), demo tenant, its ADMIN key; body = ' +
        `{ event_type, source, payload } of exactly ${EVENT_BYTES} bytes; autocannon in the bench process, 127.0.0.1 only`,
      "the handler's own time is the latencyMs of its `http request` log line; the gateway's time adds the wait " +
        'for a free worker: the local cloud runs at most 4 warm workers per group of functions with the same environment (SWITCHYARD_FUNCTION_CONCURRENCY), one invocation each, as ' +
        "Lambda's concurrency (FunctionHost maxConcurrency), so events/s ≤ 4 ÷ handler time",
      'only 202 responses count as accepted; latency percentiles are over the 202s (nearest rank); every other ' +
        'status is listed',
      "the cloud's CPU includes the gateway, the function workers, the outbox (stream → EventReceived on the bus, " +
        "usage counter) running meanwhile, and DynamoDB Local (java); the bench process also reads the cloud's " +
        'output (about three log lines per request) through a pipe, counted in its load generator CPU',
    ],
  };
  if (setup.limitsAppliedS !== undefined && rate) {
    ingest.notes.push(
      `rate limit: the default plan allows 10 requests/s per tenant and, with KEY_SHARE_OF_TENANT_RATE = ` +
        `${rate.keyShareOfTenantRate}, ${rate.defaultKeyRequestsPerSecond}/s per key; the bench published billing's ` +
        `SubscriptionChanged (${BENCH_REQUESTS_PER_SECOND} requests/s, ${BENCH_EVENTS_PER_MONTH} events/month) and ` +
        `the projection applied it after ${(setup.limitsAppliedS as number).toFixed(1)} s (a 40-request burst ` +
        `without 429; checked again 5.5 s later, past the 5 s entitlement cache): the key may now send ` +
        `${rate.keyRequestsPerSecond} requests/s`,
    );
  }
  for (const connections of CONCURRENCIES) {
    const run = results.ingest[connections];
    if (!run) continue;
    ingest.figures.push(
      {
        label: `${connections} conn: accepted events/s (202)`,
        value: run.acceptedPerSecond,
        unit: 'events/s',
      },
      {
        label: `${connections} conn: latency p50 / p95 / p99 (202s)`,
        value: latencyText(run.latencyMs),
        unit: 'ms',
      },
      { label: `${connections} conn: other statuses`, value: statusText(run.statuses) },
      { label: `${connections} conn: errors / timeouts`, value: `${run.errors} / ${run.timeouts}` },
      {
        label: `${connections} conn: cloud CPU per accepted event`,
        value: run.cloudCpuMicrosPerEvent,
        unit: 'µs',
      },
      {
        label: `${connections} conn: node CPU per accepted event (Java excluded)`,
        value: run.nodeCpuMicrosPerEvent,
        unit: 'µs',
      },
      {
        label: `${connections} conn: load generator CPU per request`,
        value: run.generatorCpuMicrosPerRequest,
        unit: 'µs',
      },
      { label: `${connections} conn: cores used, by process`, value: coresText(run.cores) },
    );
    ingest.goals.push({
      id: 'a',
      description: `${connections} conn: node CPU per accepted event (Java excluded)`,
      measured: run.nodeCpuMicrosPerEvent,
      unit: 'µs',
      comparison: 'below',
      target: NODE_CPU_MICROS_GOAL,
    });
    const cost = results.writes[connections];
    if (cost && cost.handlerMs.length > 0) {
      ingest.figures.push({
        label: `${connections} conn: p50 / p95 handler's own time | gateway time (logs)`,
        value: `${percentiles(cost.handlerMs)} | ${percentiles(cost.gatewayMs)}`,
        unit: 'ms',
      });
    }
    if (run.non2xx + run.errors + run.timeouts > 0)
      ingest.notes.push(
        `${connections} connections: ${run.non2xx} non-2xx (${statusText(run.statuses)}), ${run.errors} errors, ` +
          `${run.timeouts} timeouts: not counted as accepted`,
      );
  }

  const raw: Section = {
    id: 'b',
    title: `raw PutItem on the same DynamoDB Local, 1 KB items (${options.durationSeconds} s after ${options.warmupSeconds} s warm-up)`,
    figures: [],
    goals: [],
    notes: [
      'a table of its own (PAY_PER_REQUEST, pk only), measured in the same run against cloud.endpoints.dynamodb; ' +
        `item = { pk: new key per put, data: the same ${EVENT_BYTES}-byte event body }`,
      'AWS SDK v3 DynamoDBClient (NodeHttpHandler, http.Agent keepAlive, maxSockets 64, no retries): N loops ' +
        'each with one PutItem in flight; only puts answered within the duration count',
      'measured before ingest at each concurrency, after the cloud was back near idle CPU (as is ingest); the ' +
        'load generator (this process) shares the 2 cores with the cloud in both measurements',
    ],
  };
  for (const connections of CONCURRENCIES) {
    const run = results.raw[connections];
    if (!run) continue;
    raw.figures.push(
      { label: `${connections} conn: PutItem/s`, value: run.putsPerSecond, unit: 'items/s' },
      {
        label: `${connections} conn: latency p50 / p95 / p99`,
        value: latencyText(run.latencyMs),
        unit: 'ms',
      },
      { label: `${connections} conn: errors`, value: run.errors },
      { label: `${connections} conn: cloud CPU per put`, value: run.cloudCpuMicrosPerPut, unit: 'µs' },
      {
        label: `${connections} conn: load generator CPU per request`,
        value: run.generatorCpuMicrosPerRequest,
        unit: 'µs',
      },
      { label: `${connections} conn: cores used, by process`, value: coresText(run.cores) },
    );
    if (run.errors > 0)
      raw.notes.push(`${connections} connections: ${run.errors} errors, first: ${run.firstError}`);
  }

  const ratio: Section = {
    id: 'c',
    title: 'ingest accepted events/s ÷ raw PutItem/s, same concurrency, same run',
    figures: [],
    goals: [],
    notes: [],
  };
  for (const connections of CONCURRENCIES) {
    const run = results.ingest[connections];
    const put = results.raw[connections];
    if (!run || !put) continue;
    const value = run.acceptedPerSecond / Math.max(put.putsPerSecond, 1e-9);
    ratio.figures.push({
      label: `${connections} conn: ${Math.round(run.acceptedPerSecond)} events/s ÷ ${Math.round(put.putsPerSecond)} puts/s`,
      value,
      unit: 'x',
    });
    ratio.goals.push({
      id: `c-${connections}`,
      description: `ingest events/s vs raw PutItem/s, ${connections} connections`,
      measured: value,
      unit: 'x',
      comparison: 'at-least',
      target: RATIO_GOAL,
    });
  }

  const writes: Section = {
    id: 'd',
    title:
      'DynamoDB writes per accepted event (write_cost lines in the cloud output during the measured runs)',
    figures: [],
    goals: [],
    notes: [
      'per request ingest logs `write_cost` with dynamodbWrites (items written) and dynamodbWriteUnits ' +
        '(ConsumedCapacity TOTAL, index writes included); writes per event = Σ dynamodbWrites ÷ Σ events over ' +
        'the lines of the measured seconds (Σ events = events the service accepted, also those whose 202 ' +
        'autocannon abandoned at the end)',
      'off the request path, not in write_cost: the usage counter (one ADD per tenant per stream batch of up ' +
        'to 500 events); refused requests (429) log no write_cost, and the measured runs had none unless listed in (a)',
      'the report compares strictly, so "at most 2 writes per event" is checked as its exact equivalent: ' +
        'accepted events per write ≥ 0.91 (≤ 1.1 writes per event)',
    ],
  };
  const all: WriteCost = {
    requests: 0,
    events: 0,
    dynamodbWrites: 0,
    dynamodbWriteUnits: 0,
    handlerMs: [],
    gatewayMs: [],
  };
  for (const connections of CONCURRENCIES) {
    const cost = results.writes[connections];
    const run = results.ingest[connections];
    if (!cost || !run) continue;
    all.requests += cost.requests;
    all.events += cost.events;
    all.dynamodbWrites += cost.dynamodbWrites;
    all.dynamodbWriteUnits += cost.dynamodbWriteUnits;
    writes.figures.push(
      {
        label: `${connections} conn: write_cost lines / events they accepted / 202s autocannon counted`,
        value: `${cost.requests} / ${cost.events} / ${run.accepted}`,
      },
      {
        label: `${connections} conn: DynamoDB writes per accepted event`,
        value: cost.dynamodbWrites / Math.max(1, cost.events),
      },
      {
        label: `${connections} conn: write units per accepted event`,
        value: cost.dynamodbWriteUnits / Math.max(1, cost.events),
        unit: 'WCU',
      },
    );
  }
  if (all.events > 0) {
    writes.figures.push(
      {
        label: 'both runs: DynamoDB writes per accepted event',
        value: `${all.dynamodbWrites} / ${all.events} = ${(all.dynamodbWrites / all.events).toFixed(3)}`,
      },
      {
        label: 'both runs: write units per accepted event',
        value: all.dynamodbWriteUnits / all.events,
        unit: 'WCU',
      },
    );
    writes.goals.push({
      id: 'd',
      description: 'accepted events per DynamoDB write, no idempotency key (≥ 0.91 ⟺ ≤ 1.1 writes per event)',
      measured: all.events / Math.max(1, all.dynamodbWrites),
      unit: 'events/write',
      comparison: 'at-least',
      target: 1 / WRITES_PER_EVENT_GOAL,
    });
  } else if (!failure) {
    writes.error = 'no write_cost line was read from the cloud output during the measured runs';
  }
  if (results.keyed) {
    const { run, writes: cost } = results.keyed;
    writes.figures.push(
      {
        label: `with Idempotency-Key (${KEYED_SECONDS} s, ${KEYED_CONNECTIONS} conn): accepted events/s, p50 / p95 / p99`,
        value: `${Math.round(run.acceptedPerSecond)} events/s, ${latencyText(run.latencyMs)} ms`,
      },
      {
        label: 'with Idempotency-Key: DynamoDB writes per accepted event',
        value: cost.dynamodbWrites / Math.max(1, cost.events),
      },
      {
        label: 'with Idempotency-Key: write units per accepted event',
        value: cost.dynamodbWriteUnits / Math.max(1, cost.events),
        unit: 'WCU',
      },
      { label: 'with Idempotency-Key: other statuses', value: statusText(run.statuses) },
    );
    writes.notes.push(
      'with an Idempotency-Key each event is a TransactWriteItems of the event and its dedup record (2 writes, ' +
        'transactions cost double WCU) after the rate-limit update: 3 writes; a fresh random key per request',
    );
  }
  if (results.tapLost) {
    writes.error =
      "the cloud's output buffer was trimmed past the write_cost lines not yet read: the counts are incomplete";
  }
  if (results.tapUnparsable > 0) writes.notes.push(`${results.tapUnparsable} write_cost lines were not JSON`);

  const out = [ingest, raw, ratio, writes];
  for (const section of out) section.details = {};
  ingest.details = { setup, runs: results.ingest, quietBefore: results.quietBefore };
  raw.details = { runs: results.raw };
  writes.details = { measured: results.writes, keyed: results.keyed };
  if (failure) {
    const first = out.find((s) => s.figures.length === 0) ?? ingest;
    first.error = failure;
  }
  return out;
}

export const ingestPart: BenchPart = {
  name: 'ingest',
  description: 'POST /events events/s and latency vs raw DynamoDB Local PutItem, writes per event',
  async run(context) {
    const results: Results = {
      setup: {},
      ingest: {},
      raw: {},
      writes: {},
      quietBefore: {},
      tapLost: false,
      tapUnparsable: 0,
    };
    let failure: string | undefined;
    try {
      await measure(context, results);
    } catch (error) {
      failure = error instanceof Error ? (error.stack ?? error.message) : String(error);
    }
    return sections(context, results, failure);
  },
};
