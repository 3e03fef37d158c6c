import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { AlarmWatcher } from './alarms';
import { startCloudDynamoDb } from './cloud-dynamodb';
import { emulatorEndpoints, startFauxqs, startSes } from './emulators';
import type { RunningDynamoDb, SesSnsDestination } from './emulators';
import { LocalEventBridge, startEventBridgeServer } from './eventbridge';
import { eventSourceMappingsOf, startLambdaApi } from './lambda-api';
import { provisionServices } from './provision';
import type { ProvisionedRegistry } from './provision';
import {
  apisFromServices,
  FunctionHost,
  HttpGateway,
  SqsPoller,
  StreamPoller,
  routesFromServices,
  streamingUrlRoutesFromServices,
  sqsMappingsFromServices,
  streamMappingsFromServices,
} from './runner';
import {
  demoKeyProbes,
  guardedProbeRoutes,
  IDENTITY_NOT_RUNNING,
  seedDemoTenant,
  untilDemoKeyAccepted,
} from './seed';
import { composeServices, packageServices } from './services';
import type { ServiceSource } from './services';
import type { AlarmState, DevInfo } from './dev-info';
import { RequestMeter, startMeteringProxy } from './request-meter';
import { LOCAL_ACCOUNT_ID } from './types';
import type { PackagedService } from './types';
import { localBuildDir } from './repo-root';

export interface LocalCloudOptions {
  repoRoot: string;
  /** Holds dev.json, function bundles and (with persist) DynamoDB's data. */
  stateDir: string;
  /** API gateway port; 0 picks a free one. */
  port: number;
  stage: string;
  region: string;
  persist: boolean;
  /** Run these folders instead of serverless-compose.yml's services. */
  serviceDirs?: string[];
  /** Restrict compose services to these names. */
  services?: string[];
  /** Warm workers per group of functions (Lambda's concurrency); default the function host's. */
  functionConcurrency?: number;
  /** How often DLQ alarms are evaluated. */
  alarmIntervalMs?: number;
  log: (line: string) => void;
  /** Called when an alarm changes state, after dev.json's facts are updated. */
  onAlarmChange?: (alarms: AlarmState[]) => void;
  /**
   * Count the AWS requests of functions, bus and pollers (request-meter.ts); for the cost bench.
   * Streams are then read at Lambda's pace (four times a second), not the local cloud's faster one.
   */
  meterRequests?: boolean;
  /** DynamoDB Local already starting (startCloudDynamoDb); the cloud stops it with the rest. */
  dynamodb?: Promise<RunningDynamoDb>;
}

export interface RunningCloud {
  info: DevInfo;
  services: PackagedService[];
  registry: ProvisionedRegistry;
  stop(): Promise<void>;
}

/** The compose service every other one attaches to: the bus, the one HTTP API, the alert topic. */
export const PLATFORM_SERVICE = 'platform';

/**
 * The services to run. The platform service (when serverless-compose.yml lists it) always runs
 * first, also with --service or serviceDirs: every other service imports its exports.
 */
function serviceSources(options: LocalCloudOptions): ServiceSource[] {
  const all = composeServices(options.repoRoot);
  const platform = all.filter((service) => service.name === PLATFORM_SERVICE);
  const withPlatform = (chosen: ServiceSource[]): ServiceSource[] => [
    ...platform.filter((p) => !chosen.some((service) => service.dir === p.dir)),
    ...chosen,
  ];
  if (options.serviceDirs?.length) {
    return withPlatform(options.serviceDirs.map((dir) => ({ name: basename(dir), dir })));
  }
  if (!options.services?.length) return all;
  const unknown = options.services.filter((name) => !all.some((service) => service.name === name));
  if (unknown.length) throw new Error(`not in serverless-compose.yml: ${unknown.join(', ')}`);
  return withPlatform(all.filter((service) => options.services?.includes(service.name)));
}

/**
 * The local identity issuer (`https://auth.switchyard.local/<stage>`) publishes its keys through the
 * local API itself; any other issuer's keys are where OIDC puts them.
 */
export const LOCAL_ISSUER_PREFIX = 'https://auth.switchyard.local/';

export function localJwks(issuer: string, apiUrl: string): URL {
  if (issuer.startsWith(LOCAL_ISSUER_PREFIX)) return new URL(`${apiUrl}/auth/.well-known/jwks.json`);
  return new URL(`${issuer.replace(/\/$/, '')}/.well-known/jwks.json`);
}

/**
 * Billing's Stripe secrets, which AWS keeps in Secrets Manager (not emulated here): the webhook
 * signing secret from STRIPE_WEBHOOK_SECRET or a new `whsec_…` (in dev.json and the banner, for
 * `npx switchyard stripe trigger`), and STRIPE_SECRET_KEY only when the shell has one.
 */
function stripeEnvironment(info: DevInfo): Record<string, string> {
  if (!info.services.includes('billing')) return {};
  info.stripeWebhookSecret =
    process.env.STRIPE_WEBHOOK_SECRET || `whsec_${randomBytes(24).toString('base64')}`;
  return {
    STRIPE_WEBHOOK_SECRET: info.stripeWebhookSecret,
    ...(process.env.STRIPE_SECRET_KEY ? { STRIPE_SECRET_KEY: process.env.STRIPE_SECRET_KEY } : {}),
  };
}

/** How long no function may run before the demo key is taken to have reached every projection. */
const KEY_PROPAGATION_QUIET_MS = 150;
/** The longest the local cloud waits for that quiet before probing anyway. */
const KEY_PROPAGATION_WAIT_MS = 5_000;

/** A part that must be stopped, and how long its stop may take (4 s unless given). */
interface StopStep {
  name: string;
  stop: () => Promise<void>;
  boundMs?: number;
}

/** How often the local cloud reads a stream shard that has nothing new (see the stream pollers). */
const IDLE_STREAM_POLL_INTERVAL_MS = 1_000;
/** How often the local cloud looks for new shards besides when one closes. */
const SHARD_REFRESH_MS = 10_000;

/** DynamoDB Local's stop: its own SIGKILL comes after 7 s when it writes its class-data archive. */
const DYNAMODB_STOP_BOUND_MS = 7_500;

/** Runs `steps` in reverse, each bounded, so one stuck part cannot keep the others running. */
async function stopAll(steps: StopStep[], log: (line: string) => void) {
  for (const step of [...steps].reverse()) {
    const boundMs = step.boundMs ?? 4_000;
    const timeout = new Promise<void>((done) =>
      setTimeout(() => {
        log(`stopping ${step.name} took over ${boundMs / 1000} s; moving on`);
        done();
      }, boundMs).unref(),
    );
    await Promise.race([
      step.stop().catch((error: Error) => log(`stopping ${step.name}: ${error.message}`)),
      timeout,
    ]);
  }
}

/**
 * Brings up the whole local cloud in this process: emulators, the bus, every service's resources
 * (from its packaged template) and functions (from source), and the gateway. Throws, after
 * stopping whatever it started, when any part fails.
 */
export async function runLocalCloud(options: LocalCloudOptions): Promise<RunningCloud> {
  const started = Date.now();
  const { log, region } = options;
  const running: StopStep[] = [];
  const track = <T extends { stop: () => Promise<void> }>(name: string, part: T, boundMs?: number): T => {
    running.push({ name, stop: () => part.stop(), boundMs });
    return part;
  };
  try {
    const sources = serviceSources(options);
    // Packaging (osls + esbuild, CPU-bound) overlaps with the JVM's start-up.
    const [services, dynamodb, fauxqs, ses] = await Promise.all([
      packageServices(sources, { repoRoot: options.repoRoot, stage: options.stage, log }),
      // Its JVM may be writing its class-data archive as it exits (the first stop on a machine).
      (options.dynamodb ?? startCloudDynamoDb(options)).then((part) =>
        track('DynamoDB Local', part, DYNAMODB_STOP_BOUND_MS),
      ),
      startFauxqs({ region }).then((part) => track('fauxqs', part)),
      startSes({}).then((part) => track('SES', part)),
    ]);
    // With metering, everything but the alarms (CloudWatch's business on AWS) goes through a
    // counting proxy; dev.json keeps the emulators' own endpoints.
    const meter = options.meterRequests ? new RequestMeter() : undefined;
    const metered = async <T extends { endpoint: string }>(part: T, name: string): Promise<T> =>
      meter
        ? { ...part, endpoint: track(name, await startMeteringProxy(part.endpoint, meter)).endpoint }
        : part;
    const db = await metered(dynamodb, 'DynamoDB meter');
    const queues = await metered(fauxqs, 'fauxqs meter');
    const bus = new LocalEventBridge({
      region,
      accountId: LOCAL_ACCOUNT_ID,
      endpoints: { sqs: queues.endpoint, sns: queues.endpoint },
      log: (line) => log(`[bus] ${line}`),
    });
    const eventsServer = track('EventBridge', await startEventBridgeServer(bus, {}));
    const events = await metered(eventsServer, 'EventBridge meter');
    const lambdaApi = track(
      'Lambda API',
      await startLambdaApi({ region, log: (line) => log(`[lambda] ${line}`) }),
    );
    const endpoints = emulatorEndpoints({ dynamodb: db, fauxqs: queues, ses, events, lambda: lambdaApi });

    const registry = (await provisionServices(services, {
      endpoints,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      bus,
      log: (line) => log(`[provision] ${line}`),
    })) as ProvisionedRegistry;
    // SES's mailbox simulator publishes bounces and complaints to the configuration sets' topics.
    const feedbackSns = new SNSClient({
      region,
      endpoint: queues.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    track('SES simulator', { stop: async () => feedbackSns.destroy() });
    ses.routeSimulatorEvents(sesDestinationsOf(registry), async (event) => {
      await feedbackSns.send(new PublishCommand({ TopicArn: event.topicArn, Message: event.message }));
    });

    const host = track(
      'functions',
      // Bundles stay under the repository (whatever the state folder), so the packages they leave
      // out (the AWS SDK) resolve from its node_modules.
      new FunctionHost({
        services,
        registry,
        endpoints,
        region,
        buildDir: localBuildDir(options.repoRoot),
        ...(options.functionConcurrency ? { maxConcurrency: options.functionConcurrency } : {}),
        // Until ready: the seeding's first invocations, a worker per group at most.
        startingUp: true,
      }),
    );
    bus.setInvoker(host);
    const sqsMappings = sqsMappingsFromServices(services, registry);
    const streamMappings = streamMappingsFromServices(services, registry);
    lambdaApi.attach(host, eventSourceMappingsOf(sqsMappings, streamMappings, region), (windowMs) => ({
      functions: host.metrics.summary(windowMs),
      alarms: alarms.states(),
      workerGroups: host.groupStats(),
      totals: host.metrics
        .totals()
        .map((total) => ({ ...total, memorySize: host.describe(total.functionName)?.memorySize ?? 128 })),
      ...(meter ? { requests: meter.snapshot() } : {}),
    }));
    bus.start();
    running.push({ name: 'scheduler', stop: () => bus.stop() });

    const gateway = track(
      'gateway',
      new HttpGateway({
        invoker: host,
        routes: [
          ...routesFromServices(services, registry),
          ...streamingUrlRoutesFromServices(services, registry),
        ],
        // Answers that belong to no route carry the platform API's CORS headers.
        defaultCors: apisFromServices(services, registry).find((api) => api.service === PLATFORM_SERVICE)
          ?.cors,
        port: options.port,
        region,
        jwks: (issuer) => localJwks(issuer, info.apiUrl),
        log: (line) => log(`[gateway] ${line}`),
      }),
    );
    const alarms = new AlarmWatcher(
      registry.alarms(),
      fauxqs.endpoint,
      region,
      log,
      (windowMs, functionName) => host.metrics.summary(windowMs, functionName)[0],
    );
    const info: DevInfo = {
      apiUrl: '',
      mailboxUrl: ses.mailboxUrl,
      region,
      stage: options.stage,
      accountId: LOCAL_ACCOUNT_ID,
      endpoints: emulatorEndpoints({ dynamodb, fauxqs, ses, events: eventsServer, lambda: lambdaApi }),
      tenantId: null,
      apiKey: null,
      adminEmail: null,
      services: services.map((service) => service.name),
      missing: [IDENTITY_NOT_RUNNING],
      alarms: [],
      pid: process.pid,
      startedAt: new Date(started).toISOString(),
      readyInMs: 0,
    };
    // Services own /status once ingest exists; until then the local cloud answers it itself.
    gateway.addRoute('GET', '/status', () => ({
      statusCode: 200,
      body: { status: 'ok', localCloud: true, services: info.services, alarms: alarms.states() },
    }));
    try {
      const { url } = await gateway.start();
      info.apiUrl = url;
      // Where functions reach the local API (e.g. the local issuer's JWKS); never set on AWS.
      host.addLocalEnvironment({ SWITCHYARD_LOCAL_API_URL: url, ...stripeEnvironment(info) });
      const agentEnv = info.services.includes('agent')
        ? host.environmentOf(`agent-${options.stage}-askStream`)
        : undefined;
      if (agentEnv) {
        info.agent = {
          streamUrl: `${url}/agent/stream`,
          provider: agentEnv.AGENT_PROVIDER ?? 'stand-in',
          model: agentEnv.AGENT_MODEL_ID ?? 'switchyard-stand-in',
        };
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(`port ${options.port} is in use; set SWITCHYARD_PORT to another port`);
      }
      throw error;
    }

    const sqs = new SqsPoller({
      invoker: host,
      mappings: sqsMappings,
      endpoint: queues.endpoint,
      region,
      log: (line) => log(`[sqs] ${line}`),
    });
    sqs.start();
    running.push({ name: 'SQS pollers', stop: () => sqs.stop() });
    const streams = new StreamPoller({
      invoker: host,
      mappings: streamMappings,
      dynamodbEndpoint: db.endpoint,
      sqsEndpoint: queues.endpoint,
      region,
      log: (line) => log(`[streams] ${line}`),
      // Counting requests for the cost bench: streams read at Lambda's own pace, so the invocations
      // and batch sizes counted are the ones AWS would bill. Otherwise an idle shard is read once a
      // second: what a function writes wakes its service's readers at once (nudge below), so the
      // idle pace only bounds how late a write from outside any function (a script, the AWS CLI) is
      // seen; at Lambda's four reads a second, the ~20 shards' reads kept a fifth of a core busy
      // while nothing happened.
      // New shards are looked for every 10 s, and at once when a shard closes (their usual cause).
      ...(options.meterRequests
        ? { busyPollIntervalMs: 250 }
        : { pollIntervalMs: IDLE_STREAM_POLL_INTERVAL_MS, shardRefreshMs: SHARD_REFRESH_MS }),
    });
    streams.start();
    // What an invocation wrote reaches its stream's consumers without waiting out a poll interval.
    if (!options.meterRequests) host.onInvoked((service) => streams.nudge(service));
    running.push({ name: 'stream pollers', stop: () => streams.stop() });

    // The first evaluation runs beside the demo tenant's seeding (the banner waits for both); the
    // timer starts after it, so two evaluations never overlap.
    let timer: NodeJS.Timeout | undefined;
    const firstEvaluation = alarms.evaluate().then(() => {
      info.alarms = alarms.states();
      timer = setInterval(() => {
        void alarms.evaluate().then((changed) => {
          if (!changed) return;
          info.alarms = alarms.states();
          options.onAlarmChange?.(info.alarms);
        });
      }, options.alarmIntervalMs ?? 5_000);
    });
    // Awaited before the banner; meanwhile a failure must not count as unhandled.
    firstEvaluation.catch(() => undefined);
    running.push({
      name: 'alarms',
      stop: async () => {
        await firstEvaluation.catch(() => undefined);
        clearInterval(timer);
      },
    });

    if (info.services.includes('identity')) {
      const seeded = await seedDemoTenant({
        apiUrl: info.apiUrl,
        region,
        stateDir: options.stateDir,
        persist: options.persist,
        log: (line) => log(`[seed] ${line}`),
      });
      if (seeded.ok) {
        Object.assign(info, seeded.demo, { missing: [] });
        log(`demo tenant ${seeded.demo.tenantId} ${seeded.reused ? 'reused' : 'created'}`);
        // Ready means usable: every service's key projection has the demo key before the banner shows it.
        // The key's way there (identity's outbox, the bus, each service's projection) runs before any
        // probe with the key: a probe refused too early is remembered for a while (the key
        // verifier's negative cache). Meanwhile the route that decides for each service is found
        // without the key, one service at a time. The probes with the key still decide.
        const probes = demoKeyProbes(gateway.routes());
        const guarded = guardedProbeRoutes({ apiUrl: info.apiUrl, probes });
        // Awaited after the quiet; until then a failure must not count as unhandled.
        guarded.catch(() => undefined);
        await host.untilQuiet({ quietMs: KEY_PROPAGATION_QUIET_MS, timeoutMs: KEY_PROPAGATION_WAIT_MS });
        const lagging = await untilDemoKeyAccepted({
          apiUrl: info.apiUrl,
          apiKey: seeded.demo.apiKey,
          probes,
          guarded: await guarded,
        });
        if (lagging.length > 0) log(`the demo key is not yet accepted by: ${lagging.join(', ')}`);
      } else {
        info.missing = [seeded.reason];
        log(seeded.reason);
      }
    }
    await firstEvaluation;
    info.readyInMs = Date.now() - started;
    host.started();
    // After the banner, which the caller prints as soon as this returns.
    setTimeout(() => ses.warm(), 0);
    return { info, services, registry, stop: () => stopAll(running, log) };
  } catch (error) {
    await stopAll(running, log);
    throw error;
  }
}

/** The SES event destinations that publish to SNS, as provisioned (for the mailbox simulator). */
function sesDestinationsOf(registry: ProvisionedRegistry): SesSnsDestination[] {
  return registry
    .list()
    .filter((r) => r.type === 'AWS::SES::ConfigurationSetEventDestination' && r.attributes.TopicArn)
    .map((r) => ({
      configurationSetName: r.attributes.ConfigurationSetName ?? '',
      topicArn: r.attributes.TopicArn ?? '',
      eventTypes: (r.attributes.EventTypes ?? '').split(',').filter(Boolean),
      enabled: r.attributes.Enabled !== 'false',
    }));
}
