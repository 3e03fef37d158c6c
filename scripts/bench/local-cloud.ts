// `npm run bench -- local-cloud`: In one run:
//  (a) our runner versus serverless-offline on the same trivial httpApi handler: requests/s and RSS;
//  (b) RSS of the whole local cloud with every service loaded and warm;
//  (c) time from `npm start` to ready (cold and warm), then time to stop on Ctrl-C and leftovers.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { startLocalCloud } from '../../libs/local-cloud/src';
import { offlinePackagingEnv, readPackagedTemplate } from '../../libs/local-cloud/src/packaging';
import { readServiceModel } from '../../libs/local-cloud/src/runner/template';
import { SURPLUS_IDLE_TIMEOUT_MS } from '../../libs/local-cloud/src/runner/host/worker-pool';
import { composeServices } from '../../libs/local-cloud/src/services';
import type { ServiceSource } from '../../libs/local-cloud/src/services';
import type { LoadResult } from './lib/load';
import { measureLoad } from './lib/load';
import {
  LOOPBACK,
  exited,
  freePort,
  isAlive,
  processTree,
  sampleTreeMemory,
  sleep,
  spawnServer,
  startTimeOf,
  stopGroup,
  tail,
  treeCpuSeconds,
  treeMemory,
  waitForHttp,
} from './lib/proc';
import type { TreeMemory } from './lib/proc';
import type { BenchPart, Figure, PartContext, Section } from './lib/types';
import { percentile } from './lib/webhooks';

/** `npm start` to the ready banner: cold (templates packaged again) and warm. */
const READY_GOAL_MS = 20_000;
const WARM_READY_GOAL_MS = 5_000;
/**
 * Warm starts timed in a run; the goal is checked on their median. One start swings by a second or
 * more on a shared two-core VM (ten of the same code, within five minutes: 6.5 to 8.8 s).
 */
const WARM_STARTS = 3;
const RSS_GOAL_MB = 800;
/** What one more service may add to the settled local cloud ("at most ~30 MB"). */
const PER_SERVICE_GOAL_MB = 30;
/** The smallest cloud the cost per service is measured against: the platform stack and identity. */
const BASE_SERVICES = ['identity'];
const SPEEDUP_GOAL = 5;
const STOP_GOAL_MS = 10_000;

/** Node 22 for children: this process's node when it is 22+, else the node@22 devDependency. */
function nodeBinary(root: string): string {
  return Number(process.versions.node.split('.')[0]) >= 22
    ? process.execPath
    : join(root, 'node_modules', '.bin', 'node');
}

function trivialServiceDir(): string {
  return join(__dirname, 'fixtures', 'trivial-service');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function memoryBreakdown(memory: TreeMemory): string {
  const byName = new Map<string, { count: number; mb: number }>();
  for (const p of memory.processes) {
    const entry = byName.get(p.name) ?? { count: 0, mb: 0 };
    entry.count += 1;
    entry.mb += p.rssMb;
    byName.set(p.name, entry);
  }
  return [...byName.entries()]
    .sort((a, b) => b[1].mb - a[1].mb)
    .map(([name, { count, mb }]) => `${name}${count > 1 ? ` x${count}` : ''} ${Math.round(mb)} MB`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// (a) runner versus serverless-offline

interface ServerRun {
  load: LoadResult;
  /** CPU time the server's process tree used per request during the measured load. */
  serverCpuMicrosPerRequest: number;
  /** CPU time the load generator (this process) used per request. */
  generatorCpuMicrosPerRequest: number;
  idle: TreeMemory;
  peak: TreeMemory;
  afterLoad: TreeMemory;
  startMs: number;
  /** The same load with the load generator on core 0 and the server's whole tree on core 1. */
  pinned?: LoadResult;
}

/**
 * Pins every thread of the given processes to the given cores (Linux `taskset -a`); threads created
 * later inherit it. Returns false where taskset is missing or the machine has fewer than 2 cores.
 */
function pin(pids: number[], cores: string): boolean {
  for (const pid of pids) {
    // `-a` walks the process's threads, and fails when one ends meanwhile: try again a few times.
    let pinned = false;
    for (let attempt = 0; attempt < 5 && !pinned; attempt++) {
      pinned = spawnSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' }).status === 0;
    }
    // A process of the tree that ended meanwhile (esbuild's service, say) needs no pinning.
    if (!pinned && isAlive(pid)) return false;
  }
  return true;
}

/** Measures one server already answering on url, whose process tree is rooted at pid. */
async function measureServer(
  context: PartContext,
  label: string,
  url: string,
  pid: number,
  startMs: number,
): Promise<ServerRun> {
  const { options } = context;
  const idle = treeMemory(pid);
  context.log(
    `${label}: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s at ${options.connections} connections on ${url}`,
  );
  const sampler = sampleTreeMemory(pid);
  let serverCpu = 0;
  let generatorCpu = process.cpuUsage();
  const load = await measureLoad(url, options, () => {
    serverCpu = treeCpuSeconds(pid);
    generatorCpu = process.cpuUsage();
  });
  const serverCpuSeconds = treeCpuSeconds(pid) - serverCpu;
  const generator = process.cpuUsage(generatorCpu);
  const peak = sampler.stop();
  const requests = Math.max(1, load.ok + load.non2xx);
  const afterLoad = treeMemory(pid);
  context.log(
    `${label}: ${Math.round(load.requestsPerSecond)} requests/s, peak RSS ${Math.round(peak.totalMb)} MB`,
  );
  // On 2 cores the load generator competes with the server, and takes more CPU the faster the
  // server is. A second run gives each its own core, which measures the server, not the contest.
  let pinned: LoadResult | undefined;
  const serverTree = processTree(pid);
  try {
    // (Checked before pinning: once this process is on one core, it sees only that one.)
    if (availableParallelism() >= 2 && pin([process.pid], '0') && pin(serverTree, '1')) {
      pinned = await measureLoad(url, options, () => undefined);
      context.log(
        `${label}: ${Math.round(pinned.requestsPerSecond)} requests/s with the load generator on its own core`,
      );
    } else {
      context.log(`${label}: could not pin processes to cores; no separate-core figure`);
    }
  } finally {
    // Whatever happened, nothing measured later may stay confined to one core.
    pin([process.pid], '0-1');
    pin(
      serverTree.filter((p) => isAlive(p)),
      '0-1',
    );
  }
  return {
    load,
    serverCpuMicrosPerRequest: (serverCpuSeconds * 1e6) / requests,
    generatorCpuMicrosPerRequest: (generator.user + generator.system) / requests,
    idle,
    peak,
    afterLoad,
    startMs,
    ...(pinned ? { pinned } : {}),
  };
}

/** Our HttpGateway + FunctionHost in a child process (scripts/bench/run-runner.ts). */
async function runOurs(context: PartContext): Promise<ServerRun> {
  const root = context.repoRoot;
  context.log('runner: packaging the fixture and starting scripts/bench/run-runner.ts');
  const started = performance.now();
  const { child, output } = spawnServer(
    nodeBinary(root),
    [
      join(root, 'scripts', 'run-ts.mjs'),
      join(__dirname, 'run-runner.ts'),
      '--service-dir',
      trivialServiceDir(),
      '--build-dir',
      join(context.scratchDir, 'runner-build'),
    ],
    {
      cwd: root,
      env: process.env,
      logPath: join(context.scratchDir, 'runner.log'),
      echo: context.options.verbose,
    },
  );
  try {
    let url: string | undefined;
    while (!url) {
      const line = output()
        .split('\n')
        .find((l) => l.startsWith('{"ready":true'));
      if (line) url = (JSON.parse(line) as { url: string }).url;
      else if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`runner exited (code ${child.exitCode}) before serving:\n${tail(output())}`);
      } else if (performance.now() - started > 120_000) {
        throw new Error(`runner not ready within 120 s:\n${tail(output())}`);
      } else await sleep(50);
    }
    // The first request bundles the handler and starts a worker: part of start-up, not of the load.
    await waitForHttp(`${url}/ping`, { timeoutMs: 60_000, child, output });
    const startMs = performance.now() - started;
    return await measureServer(context, 'runner', `${url}/ping`, child.pid ?? 0, startMs);
  } finally {
    await stopGroup(child);
  }
}

/** serverless-offline with its defaults (worker threads, no reload), in the fixture's folder. */
async function runServerlessOffline(context: PartContext): Promise<ServerRun> {
  const root = context.repoRoot;
  const [httpPort, lambdaPort, websocketPort] = [await freePort(), await freePort(), await freePort()];
  const cli = join(root, 'node_modules', 'serverless', 'bin', 'serverless.js');
  context.log('serverless-offline: starting `serverless offline start` in the fixture');
  const started = performance.now();
  const { child, output } = spawnServer(
    nodeBinary(root),
    [
      cli,
      'offline',
      'start',
      '--stage',
      'local',
      '--host',
      LOOPBACK,
      '--httpPort',
      String(httpPort),
      '--lambdaPort',
      String(lambdaPort),
      '--websocketPort',
      String(websocketPort),
    ],
    {
      cwd: trivialServiceDir(),
      env: offlinePackagingEnv(),
      logPath: join(context.scratchDir, 'serverless-offline.log'),
      echo: context.options.verbose,
    },
  );
  try {
    const url = `http://${LOOPBACK}:${httpPort}/ping`;
    await waitForHttp(url, { timeoutMs: 120_000, child, output });
    const startMs = performance.now() - started;
    return await measureServer(context, 'serverless-offline', url, child.pid ?? 0, startMs);
  } finally {
    await stopGroup(child, 'SIGINT');
  }
}

function serverFigures(label: string, run: ServerRun): Figure[] {
  return [
    { label: `${label}: requests/s (2xx)`, value: run.load.requestsPerSecond, unit: 'req/s' },
    ...(run.pinned
      ? [
          {
            label: `${label}: requests/s, load generator on its own core`,
            value: run.pinned.requestsPerSecond,
            unit: 'req/s',
          },
        ]
      : []),
    {
      label: `${label}: latency p50 / p99`,
      value: `${run.load.latencyMs.p50} / ${run.load.latencyMs.p99}`,
      unit: 'ms',
    },
    { label: `${label}: server CPU per request`, value: run.serverCpuMicrosPerRequest, unit: 'µs' },
    {
      label: `${label}: load generator CPU per request`,
      value: run.generatorCpuMicrosPerRequest,
      unit: 'µs',
    },
    {
      label: `${label}: non-2xx / errors / timeouts`,
      value: `${run.load.non2xx} / ${run.load.errors} / ${run.load.timeouts}`,
    },
    { label: `${label}: RSS idle (after first request)`, value: run.idle.totalMb, unit: 'MB' },
    { label: `${label}: RSS peak under load`, value: run.peak.totalMb, unit: 'MB' },
    { label: `${label}: RSS after load`, value: run.afterLoad.totalMb, unit: 'MB' },
    { label: `${label}: processes at peak`, value: memoryBreakdown(run.peak) },
    { label: `${label}: start to first 200`, value: run.startMs / 1000, unit: 's' },
  ];
}

async function runnerVersusOffline(context: PartContext): Promise<Section> {
  const section: Section = {
    id: 'a',
    title: 'runner vs serverless-offline, same trivial httpApi handler (GET /ping)',
    figures: [],
    goals: [],
    notes: [
      `fixture: ${relative(context.repoRoot, trivialServiceDir())}; load: autocannon in the bench process, ` +
        `${context.options.connections} connections, ${context.options.warmupSeconds} s warm-up then ` +
        `${context.options.durationSeconds} s measured, one server at a time, 127.0.0.1 only`,
      'ours: HttpGateway + FunctionHost as the local cloud configures them (default 4 workers per group of functions with the same environment, ' +
        'memory limit enforced, one log line per request), in one child process',
      'serverless-offline v14 with its defaults: handlers in worker threads (not --useInProcess), no ' +
        '--reloadHandler, timeouts enforced, one log line per request; built by serverless-esbuild',
      'CPU per request = user+system time of the server process tree (all threads) during the measured ' +
        'load / requests; the load generator shares the 2 cores, and its share grows with requests/s',
      'RSS = sum of VmRSS over each server process tree (worker threads share their process RSS); ' +
        "servers' output goes to a log file in the bench's scratch folder, not through a pipe",
    ],
  };
  let ours: ServerRun | undefined;
  let offline: ServerRun | undefined;
  const failures: string[] = [];
  try {
    ours = await runOurs(context);
    section.figures.push(...serverFigures('ours', ours));
  } catch (error) {
    failures.push(`runner: ${errorText(error)}`);
  }
  try {
    offline = await runServerlessOffline(context);
    section.figures.push(...serverFigures('serverless-offline', offline));
  } catch (error) {
    failures.push(`serverless-offline: ${errorText(error)}`);
  }
  if (ours && offline) {
    const speedup = ours.load.requestsPerSecond / Math.max(offline.load.requestsPerSecond, 1e-9);
    section.figures.push(
      { label: 'requests/s, ours / serverless-offline', value: speedup, unit: 'x' },
      {
        label: 'server CPU per request, serverless-offline / ours',
        value: offline.serverCpuMicrosPerRequest / ours.serverCpuMicrosPerRequest,
        unit: 'x',
      },
      {
        label: 'peak RSS, ours / serverless-offline',
        value: ours.peak.totalMb / offline.peak.totalMb,
        unit: 'x',
      },
    );
    section.goals.push({
      id: 'a',
      description: 'runner requests/s vs serverless-offline (load generator sharing the cores)',
      measured: speedup,
      unit: 'x',
      comparison: 'at-least',
      target: SPEEDUP_GOAL,
    });
    if (ours.pinned && offline.pinned) {
      const pinnedSpeedup = ours.pinned.requestsPerSecond / Math.max(offline.pinned.requestsPerSecond, 1e-9);
      section.figures.push({
        label: 'requests/s, ours / serverless-offline, load generator on its own core',
        value: pinnedSpeedup,
        unit: 'x',
      });
      section.goals.push({
        id: 'a-pinned',
        description: 'runner requests/s vs serverless-offline (load generator on its own core)',
        measured: pinnedSpeedup,
        unit: 'x',
        comparison: 'at-least',
        target: SPEEDUP_GOAL,
      });
    }
    for (const [label, run] of [
      ['ours', ours],
      ['serverless-offline', offline],
    ] as const) {
      const bad = run.load.non2xx + run.load.errors;
      if (bad > 0)
        section.notes.push(
          `${label} had ${bad} non-2xx responses or errors under load (not counted in requests/s)`,
        );
    }
  }
  section.details = { ours, serverlessOffline: offline };
  if (failures.length > 0) section.error = failures.join('\n');
  return section;
}

// ---------------------------------------------------------------------------------------------
// (b) RSS of the whole local cloud

/** Sends each HTTP route of the services once (path parameters filled in), so their workers start. */
async function invokeEveryRoute(
  apiUrl: string,
  dirs: string[],
): Promise<{ route: string; status: number | string; authorizer: boolean }[]> {
  const requests: Promise<{ route: string; status: number | string; authorizer: boolean }>[] = [];
  for (const dir of dirs) {
    const template = readPackagedTemplate(dir);
    const model = readServiceModel({ name: dir, dir, template });
    for (const route of model.routes) {
      const method = route.method === 'ANY' ? 'GET' : route.method;
      const path = (route.path ?? '/').replace(/\{[^}]+\}/g, 'bench');
      const hasBody = !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method);
      requests.push(
        fetch(`${apiUrl}${path}`, {
          method,
          headers: hasBody ? { 'content-type': 'application/json' } : undefined,
          body: hasBody ? '{}' : undefined,
          signal: AbortSignal.timeout(40_000),
        }).then(
          async (response) => {
            await response.arrayBuffer();
            return { route: route.routeKey, status: response.status, authorizer: Boolean(route.authorizer) };
          },
          (error: unknown) => ({
            route: route.routeKey,
            status: errorText(error),
            authorizer: Boolean(route.authorizer),
          }),
        ),
      );
    }
  }
  return Promise.all(requests);
}

async function measureCloud(
  context: PartContext,
  id: string,
  label: string,
  dirs: string[],
  serviceDirs: string[] | undefined,
  services?: string[],
): Promise<Section> {
  const section: Section = {
    id,
    title: `RSS of the whole local cloud: ${label}`,
    figures: [],
    goals: [],
    notes: [],
  };
  context.log(`cloud (${label}): startLocalCloud()`);
  const started = performance.now();
  const stateDir = join(context.scratchDir, `cloud-${id}`);
  try {
    const cloud = await startLocalCloud({
      serviceDirs,
      ...(services ? { services } : {}),
      port: 0,
      stateDir,
      verbose: context.options.verbose,
      timeoutMs: 180_000,
    });
    try {
      const startMs = performance.now() - started;
      const ready = treeMemory(cloud.pid);
      const results = await invokeEveryRoute(cloud.apiUrl, dirs);
      await sleep(1_000);
      const burst = treeMemory(cloud.pid);
      // The routes were sent at once, so groups scaled out; their extra workers retire once idle
      // (SURPLUS_IDLE_TIMEOUT_MS, checked every half of it), and each group keeps one warm worker.
      await sleep(SURPLUS_IDLE_TIMEOUT_MS * 1.5 + 2_000);
      const warm = treeMemory(cloud.pid);
      const invoked = results.filter((r) => !r.authorizer);
      section.figures.push(
        { label: 'services', value: cloud.services.length > 0 ? cloud.services.join(', ') : '(none)' },
        {
          label: 'HTTP routes invoked (JWT routes answer 401 first)',
          value: `${invoked.length} of ${results.length}`,
        },
        { label: 'startLocalCloud() to ready', value: startMs / 1000, unit: 's' },
        { label: 'RSS at ready', value: ready.totalMb, unit: 'MB' },
        { label: 'RSS 1 s after every route was invoked at once', value: burst.totalMb, unit: 'MB' },
        {
          label: `RSS ${Math.round((SURPLUS_IDLE_TIMEOUT_MS * 1.5 + 3_000) / 1000)} s after (extra workers retired)`,
          value: warm.totalMb,
          unit: 'MB',
        },
        { label: 'processes', value: memoryBreakdown(warm) },
      );
      section.goals.push({
        id,
        description: `local cloud RSS, ${label}, every route invoked once, its extra workers retired`,
        measured: warm.totalMb,
        unit: 'MB',
        comparison: 'below',
        target: RSS_GOAL_MB,
      });
      const failed = results.filter((r) => typeof r.status !== 'number');
      if (failed.length > 0)
        section.notes.push(
          `routes that did not answer: ${failed.map((r) => `${r.route} (${r.status})`).join('; ')}`,
        );
      section.details = { routes: results, ready, burst, warm, services: cloud.services };
    } finally {
      await cloud.stop();
    }
  } catch (error) {
    section.error = errorText(error);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  return section;
}

async function cloudMemory(context: PartContext): Promise<Section[]> {
  let compose: ServiceSource[];
  try {
    compose = composeServices(context.repoRoot);
  } catch (error) {
    return [
      {
        id: 'b',
        title: 'RSS of the whole local cloud',
        figures: [],
        goals: [],
        notes: [],
        error: errorText(error),
      },
    ];
  }
  const names = compose.map((s) => s.name);
  const sections: Section[] = [
    await measureCloud(
      context,
      'b',
      names.length > 0
        ? `every service in serverless-compose.yml (${names.length})`
        : 'serverless-compose.yml lists no service yet',
      compose.map((s) => s.dir),
      undefined,
    ),
  ];
  if (names.length === 0) {
    const fixture = join(context.repoRoot, 'libs', 'local-cloud', 'test', 'fixtures', 'sample-service');
    sections.push(
      await measureCloud(
        context,
        'b2',
        'fixture libs/local-cloud/test/fixtures/sample-service',
        [fixture],
        [fixture],
      ),
    );
    sections[0]?.notes.push(
      'no service is listed yet: this is the emulators and runner alone; (b2) loads the fixture service',
    );
    return sections;
  }
  const base = compose.filter((s) => BASE_SERVICES.includes(s.name));
  if (base.length === BASE_SERVICES.length && names.length > base.length) {
    const small = await measureCloud(
      context,
      'b3',
      `the platform stack and ${BASE_SERVICES.join(', ')} alone`,
      base.map((s) => s.dir),
      undefined,
      BASE_SERVICES,
    );
    sections.push(small);
    const settled = (section: Section | undefined) =>
      section?.details as { warm?: { totalMb: number }; services?: string[] } | undefined;
    const all = settled(sections[0]);
    const few = settled(small);
    if (all?.warm && few?.warm && all.services && few.services) {
      const added = all.services.length - few.services.length;
      const perService = (all.warm.totalMb - few.warm.totalMb) / added;
      small.figures.push({
        label: `RSS each further service adds, settled ((b) - this) / ${added} services`,
        value: perService,
        unit: 'MB',
      });
      small.goals.push({
        id: 'b3',
        description: `RSS one more service adds to the local cloud (every route invoked once, extra workers retired): (b) against ${few.services.join(', ')}`,
        measured: perService,
        unit: 'MB',
        comparison: 'below',
        target: PER_SERVICE_GOAL_MB,
      });
    }
  }
  return sections;
}

// ---------------------------------------------------------------------------------------------
// (c) npm start to ready, and Ctrl-C

interface StartRun {
  /** Until GET /status answers 200 (the gateway and one function up). */
  statusMs: number;
  /** Until the ready banner. */
  readyMs: number;
  selfReportedReadyMs?: number;
  exitMs: number;
  treeGoneMs: number;
  /** How npm ended: `code 0`, or `signal SIGINT` (npm re-raises the signal it stopped on). */
  exit: string;
  processes: string[];
  leftovers: string[];
}

function npmCommand(): { command: string; args: string[] } {
  // Under `npm run bench`, npm tells us where its CLI is: run that one, on this node.
  const npmCli = process.env.npm_execpath;
  if (npmCli && existsSync(npmCli) && npmCli.endsWith('.js'))
    return { command: process.execPath, args: [npmCli] };
  return { command: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: [] };
}

async function startAndStop(context: PartContext, stateDir: string, mode: string): Promise<StartRun> {
  const port = await freePort();
  const npm = npmCommand();
  const started = performance.now();
  const { child, output } = spawnServer(npm.command, [...npm.args, 'start', '--', '--state-dir', stateDir], {
    cwd: context.repoRoot,
    env: { ...process.env, SWITCHYARD_PORT: String(port) },
    logPath: join(context.scratchDir, `npm-start-${mode}.log`),
    echo: context.options.verbose,
  });
  try {
    await waitForHttp(`http://${LOOPBACK}:${port}/status`, {
      intervalMs: 50,
      timeoutMs: 120_000,
      child,
      output,
    });
  } catch (error) {
    await stopGroup(child);
    throw error;
  }
  const statusMs = performance.now() - started;
  // The gateway answers before the cloud is ready (seeding, the demo key's probes): ready is the
  // banner, which prints once the demo key works on every service.
  const bannerDeadline = performance.now() + 120_000;
  while (!/local cloud is ready in/.test(output()) && performance.now() < bannerDeadline) await sleep(50);
  if (!/local cloud is ready in/.test(output())) {
    await stopGroup(child);
    throw new Error('npm start: no ready banner within 120 s of the gateway answering');
  }
  const readyMs = performance.now() - started;
  let selfReportedReadyMs: number | undefined;
  try {
    selfReportedReadyMs = (
      JSON.parse(readFileSync(join(stateDir, 'dev.json'), 'utf8')) as { readyInMs?: number }
    ).readyInMs;
  } catch {
    // dev.json not written: leave it out
  }

  // Ctrl-C: the terminal sends SIGINT to the whole foreground process group (npm, sh, node).
  const pid = child.pid ?? 0;
  const members = processTree(pid).map((p) => ({
    pid: p,
    start: startTimeOf(p),
    name: treeMemory(p).processes[0]?.name ?? '?',
  }));
  const stopStarted = performance.now();
  process.kill(-pid, 'SIGINT');
  const alive = () => members.filter((m) => isAlive(m.pid) && startTimeOf(m.pid) === m.start);
  let exitMs = Number.NaN;
  void exited(child).then(() => (exitMs = performance.now() - stopStarted));
  while (alive().length > 0 && performance.now() - stopStarted < 20_000) await sleep(50);
  const treeGoneMs = performance.now() - stopStarted;
  await Promise.race([exited(child), sleep(1_000)]);
  const leftovers = alive().map((m) => `${m.name} (pid ${m.pid})`);
  const exit =
    child.exitCode !== null
      ? `code ${child.exitCode}`
      : child.signalCode !== null
        ? `signal ${child.signalCode}`
        : 'still running after 20 s';
  if (leftovers.length > 0 || (child.exitCode === null && child.signalCode === null)) {
    await stopGroup(child, 'SIGKILL', 0);
  }
  return {
    statusMs,
    readyMs,
    selfReportedReadyMs,
    exitMs,
    treeGoneMs,
    exit,
    processes: members.map((m) => m.name),
    leftovers,
  };
}

async function startToReady(context: PartContext): Promise<Section> {
  const section: Section = {
    id: 'c',
    title:
      '`npm start` to the ready banner (and to GET {apiUrl}/status answering 200 before it), then Ctrl-C',
    figures: [],
    goals: [],
    notes: [],
  };
  const stateDir = join(context.scratchDir, 'npm-start');
  let compose: ServiceSource[] = [];
  try {
    compose = composeServices(context.repoRoot);
  } catch (error) {
    section.notes.push(`serverless-compose.yml unreadable: ${errorText(error)}`);
  }
  const runs: Record<string, StartRun> = {};
  const median = (values: number[]) =>
    percentile(
      [...values].sort((a, b) => a - b),
      50,
    );
  try {
    const names = ['cold', ...Array.from({ length: WARM_STARTS }, (_, i) => `warm ${i + 1}`)];
    for (const name of names) {
      if (name === 'cold') {
        for (const service of compose)
          rmSync(join(service.dir, '.serverless', 'switchyard-fingerprint'), { force: true });
      }
      context.log(`npm start (${name}): SWITCHYARD_PORT=<free port> npm start -- --state-dir <scratch>`);
      const run = await startAndStop(context, stateDir, name.replace(' ', '-'));
      runs[name] = run;
      section.figures.push(
        { label: `${name}: npm start to GET /status 200`, value: run.statusMs / 1000, unit: 's' },
        { label: `${name}: npm start to the ready banner`, value: run.readyMs / 1000, unit: 's' },
        {
          label: `${name}: readyInMs the cloud reports (dev.json)`,
          value: run.selfReportedReadyMs === undefined ? null : run.selfReportedReadyMs / 1000,
          unit: 's',
        },
        {
          label: `${name}: SIGINT to npm exit`,
          value: Number.isNaN(run.exitMs) ? null : run.exitMs / 1000,
          unit: 's',
        },
        { label: `${name}: SIGINT to whole tree gone`, value: run.treeGoneMs / 1000, unit: 's' },
        {
          label: `${name}: processes in the tree / left behind`,
          value: `${run.processes.length} (${run.processes.join(', ')}) / ${run.leftovers.length}`,
        },
        {
          label: `${name}: how npm ended`,
          value: run.exit,
        },
      );
      if (run.leftovers.length > 0)
        section.notes.push(`${name}: left behind after SIGINT (then killed): ${run.leftovers.join(', ')}`);
    }
    const warm = names.filter((name) => name !== 'cold').map((name) => runs[name]!);
    section.figures.push({
      label: `warm: median of the ${warm.length} starts, npm start to the ready banner`,
      value: median(warm.map((run) => run.readyMs)) / 1000,
      unit: 's',
    });
    const groups: [string, StartRun[]][] = [
      ['cold', [runs.cold!]],
      ['warm', warm],
    ];
    for (const [mode, group] of groups) {
      section.goals.push(
        {
          id: `c-${mode}`,
          description:
            mode === 'cold'
              ? 'npm start to the ready banner, cold'
              : `npm start to the ready banner, warm (median of ${group.length})`,
          measured: median(group.map((run) => run.readyMs)) / 1000,
          unit: 's',
          comparison: 'below',
          target: (mode === 'cold' ? READY_GOAL_MS : WARM_READY_GOAL_MS) / 1000,
        },
        {
          id: `c-${mode}-stop`,
          description: `Ctrl-C to every process gone, ${mode}${group.length > 1 ? ' (slowest)' : ''}`,
          measured: Math.max(...group.map((run) => run.treeGoneMs)) / 1000,
          unit: 's',
          comparison: 'below',
          target: STOP_GOAL_MS / 1000,
        },
        {
          id: `c-${mode}-left`,
          description: `processes left after Ctrl-C, ${mode}`,
          measured: group.reduce((sum: number, run) => sum + run.leftovers.length, 0),
          unit: '',
          comparison: 'below',
          target: 1,
        },
      );
    }
    section.notes.push(
      compose.length > 0
        ? `cold = after deleting .serverless/switchyard-fingerprint of ${compose.map((s) => s.name).join(', ')} (forces serverless package); warm = each of the ${WARM_STARTS} starts after it`
        : 'serverless-compose.yml lists no service yet: nothing to package, so cold and warm differ only by OS caches',
    );
  } catch (error) {
    section.error = errorText(error);
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  section.details = runs;
  return section;
}

export const localCloudPart: BenchPart = {
  name: 'local-cloud',
  description: 'runner vs serverless-offline, local cloud RSS, npm start to ready',
  async run(context) {
    const sections: Section[] = [];
    sections.push(await runnerVersusOffline(context));
    sections.push(...(await cloudMemory(context)));
    sections.push(await startToReady(context));
    return sections;
  },
};
