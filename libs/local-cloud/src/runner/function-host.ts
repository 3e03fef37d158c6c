/**
 * Hosts every service's functions the way Lambda does, on one machine: code is bundled from source
 * on demand (and re-bundled when a source file changes), and functions run in worker threads, one
 * invocation at a time per worker; a handler that outlives its Timeout has its worker terminated.
 *
 * Functions of a service whose template declares the same environment form a group and share its
 * workers (at most `maxConcurrency` per group): a worker loads each function's own bundle as its own
 * module (module-level state stays per function) and shares only what bundles leave external (the
 * AWS SDK), once per worker. Before each invocation the worker puts the function's own environment
 * (its declared variables plus Lambda's, such as AWS_LAMBDA_FUNCTION_NAME) in process.env.
 * Functions whose declared environments differ never share a worker.
 */
import { randomUUID, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build, stop as stopEsbuild } from 'esbuild';
import type { BuildOptions } from 'esbuild';
import type {
  Endpoints,
  InvocationError,
  InvocationResult,
  Invoker,
  PackagedService,
  ResourceRegistry,
} from '../types';
import { LOCAL_ACCOUNT_ID } from '../types';
import { readServiceModel, functionNameFromArn } from './template';
import type { FunctionModel } from './template';
import { WORKER_BOOTSTRAP } from './worker-bootstrap';

export interface FunctionHostOptions {
  services: PackagedService[];
  registry: ResourceRegistry;
  /** Local emulator endpoints, given to functions as AWS_ENDPOINT_URL_* variables. */
  endpoints?: Partial<Endpoints>;
  region?: string;
  /** Where bundles go; default `<repo root>/.switchyard/build`. */
  buildDir?: string;
  /**
   * Warm workers per environment group (functions of a service with the same declared environment;
   * Lambda's concurrency); further invocations queue. Default 4.
   */
  maxConcurrency?: number;
  /** Workers idle this long are stopped. Default 10 minutes. */
  idleTimeoutMs?: number;
  /**
   * Packages left out of bundles and loaded from node_modules at run time. Default: the AWS SDK, as
   * in the deployed bundles (serverless.common.yml excludes `@aws-sdk/*`; Lambda's runtime provides
   * it). Bundling the SDK into every function made esbuild hold gigabytes and every worker parse its
   * own copy.
   */
  external?: string[];
  /** Receives each line a function writes to stdout/stderr. Default: process.stdout with a `[function]` prefix. */
  log?: (functionName: string, line: string) => void;
  /** Cap V8's heap at the function's MemorySize, as Lambda caps the sandbox. Default true. */
  enforceMemoryLimit?: boolean;
}

export interface FunctionStats {
  functionName: string;
  service: string;
  /** The environment group whose workers run this function (see FunctionGroupStats). */
  group: string;
  /** Workers (of its group) that have this function loaded. */
  workers: number;
  /** Workers running an invocation of this function. */
  busy: number;
  queued: number;
  invocations: number;
}

/**
 * Functions of one service whose declared environment is identical share a pool of workers: each
 * worker can load several of their bundles and runs one invocation at a time.
 */
export interface FunctionGroupStats {
  group: string;
  service: string;
  functions: string[];
  workers: number;
  busy: number;
  queued: number;
  /** The workers' heap limit: the largest MemorySize of the group's functions. */
  memorySize: number;
}

interface Bundle {
  path: string;
  version: string;
  /** Source files (outside node_modules) and their mtimes when bundled. */
  inputs: Map<string, number>;
  /** When the inputs' mtimes were last compared. */
  checkedAt: number;
}

/**
 * Source files are compared at most this often: an edit is picked up on the next request after it,
 * and a busy function does not stat its sources on every invocation.
 */
const SOURCE_CHECK_INTERVAL_MS = 250;

export const DEFAULT_EXTERNAL = ['@aws-sdk/*', '@smithy/*', '@aws-crypto/*'];

/**
 * A warm function's young generation: V8's default (up to 16 MB per semi-space) is sized for
 * throughput; a local function handles one request at a time, and dozens of them idle side by side.
 * Measured (decision 26): 16 MB gives ingest's write path about 30% more events/s under load, but
 * workers keep the semi-spaces module loading grows, and the local cloud with every route invoked
 * once took 800 → 856 MB with the four compose services, past the 800 MB goal.
 */
const YOUNG_GENERATION_MB = 4;

/**
 * Builds run at most this many at a time: esbuild's service keeps (until it is stopped) the memory
 * its largest burst needed, and on a laptop's few cores more parallel builds finish no sooner.
 */
const MAX_PARALLEL_BUILDS = 4;

/**
 * esbuild's service process is stopped once no build has been in flight for this long, so the
 * memory a burst of builds took goes back; the next build starts it again (in milliseconds).
 */
const ESBUILD_IDLE_STOP_MS = 200;

interface WorkerSlot {
  worker: Worker;
  group: FunctionGroup;
  /** Functions whose bundle this worker has loaded (or is loading), with the bundle's version. */
  loaded: Map<string, string>;
  busy: boolean;
  retired: boolean;
  lastUsed: number;
  /** The function that ran last here: output that comes outside any invocation is attributed to it. */
  lastFunction: string;
  pending?: { id: string; fn: HostedFunction; resolve: (result: InvocationResult) => void };
  /** Partial output lines per function and stream, until their newline comes. */
  partial: Map<string, string>;
}

interface FunctionGroup {
  id: string;
  service: string;
  functions: HostedFunction[];
  slots: WorkerSlot[];
  waiters: { functionName: string; wake: () => void }[];
  /** The heap limit of the group's workers: its functions' largest MemorySize. */
  memorySize: number;
}

interface HostedFunction {
  model: FunctionModel;
  /** The variables its configuration declares (the template's, or UpdateFunctionConfiguration's). */
  declared: Record<string, string>;
  env: Record<string, string>;
  entry: string;
  exportName: string;
  group: FunctionGroup;
  invocations: number;
}

/** Environment variable names the AWS SDK reads for each local endpoint. */
const ENDPOINT_VARIABLES: Record<keyof Endpoints, string[]> = {
  dynamodb: ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_DYNAMODB_STREAMS'],
  sqs: ['AWS_ENDPOINT_URL_SQS'],
  sns: ['AWS_ENDPOINT_URL_SNS'],
  s3: ['AWS_ENDPOINT_URL_S3'],
  ses: ['AWS_ENDPOINT_URL_SES', 'AWS_ENDPOINT_URL_SESV2'],
  events: ['AWS_ENDPOINT_URL_EVENTBRIDGE'],
  lambda: ['AWS_ENDPOINT_URL_LAMBDA'],
};

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

/** The repository root: the nearest ancestor whose package.json declares workspaces. */
export function findRepoRoot(start: string = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const parsed = JSON.parse(readFileSync(pkg, 'utf8')) as { workspaces?: unknown };
        if (parsed.workspaces) return dir;
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return resolve(start);
    dir = parent;
  }
}

/** `src/handlers/hello.handler` in `dir` → { entry: `<dir>/src/handlers/hello.ts`, exportName: 'handler' }. */
export function resolveHandlerEntry(
  serviceDir: string,
  handler: string,
): { entry: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  if (dot <= 0) throw new Error(`handler "${handler}" is not of the form <file>.<export>`);
  const base = join(serviceDir, handler.slice(0, dot));
  const exportName = handler.slice(dot + 1);
  for (const extension of SOURCE_EXTENSIONS) {
    if (existsSync(base + extension)) return { entry: base + extension, exportName };
  }
  throw new Error(
    `no source for handler "${handler}" in ${serviceDir} (tried ${SOURCE_EXTENSIONS.join(', ')})`,
  );
}

function stringifyEnvValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * The key of a function's environment group: functions of one service whose template declares the
 * same environment variables (names and resolved values) may share workers.
 */
export function environmentGroupKey(service: string, declared: Record<string, string>): string {
  const entries = Object.keys(declared)
    .sort()
    .map((key) => [key, declared[key]]);
  return JSON.stringify([service, entries]);
}

let buildsInFlight = 0;
const buildQueue: (() => void)[] = [];
let esbuildStopTimer: NodeJS.Timeout | undefined;

/**
 * esbuild's build(), at most MAX_PARALLEL_BUILDS at a time, stopping esbuild's service process once
 * no build (of any FunctionHost in this process) is in flight.
 */
async function runBuild(options: BuildOptions & { metafile: true; write: false }) {
  if (esbuildStopTimer) {
    clearTimeout(esbuildStopTimer);
    esbuildStopTimer = undefined;
  }
  buildsInFlight++;
  try {
    if (buildsInFlight > MAX_PARALLEL_BUILDS) {
      await new Promise<void>((resolveTurn) => buildQueue.push(resolveTurn));
    }
    return await build(options);
  } finally {
    buildsInFlight--;
    buildQueue.shift()?.();
    if (buildsInFlight === 0) {
      esbuildStopTimer = setTimeout(() => {
        esbuildStopTimer = undefined;
        if (buildsInFlight === 0) void stopEsbuild();
      }, ESBUILD_IDLE_STOP_MS);
      esbuildStopTimer.unref();
    }
  }
}

export class FunctionHost implements Invoker {
  private readonly functions = new Map<string, HostedFunction>();
  private readonly groups = new Map<string, FunctionGroup>();
  private readonly bundles = new Map<string, Bundle>();
  private readonly building = new Map<string, Promise<Bundle>>();
  /** What addLocalEnvironment gave every function (kept across UpdateFunctionConfiguration). */
  private readonly localEnvironment: Record<string, string> = {};
  private readonly region: string;
  private readonly buildDir: string;
  private readonly maxConcurrency: number;
  private readonly idleTimeoutMs: number;
  private readonly reaper: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly options: FunctionHostOptions) {
    this.region = options.region ?? 'us-east-1';
    this.buildDir = options.buildDir ?? join(findRepoRoot(), '.switchyard', 'build');
    this.maxConcurrency = Math.max(1, options.maxConcurrency ?? 4);
    this.idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60_000;
    for (const service of options.services) {
      for (const model of readServiceModel(service).functions) this.register(service, model);
    }
    this.reaper = setInterval(
      () => this.reapIdle(),
      Math.min(30_000, Math.max(1_000, this.idleTimeoutMs / 2)),
    );
    this.reaper.unref();
  }

  private register(service: PackagedService, model: FunctionModel): void {
    const resolvedName = this.options.registry.resolve(service.name, model.functionName);
    const functionName = typeof resolvedName === 'string' ? resolvedName : model.functionName;
    const resolvedEnv = this.options.registry.resolve(service.name, model.environment) as Record<
      string,
      unknown
    >;
    const { entry, exportName } = resolveHandlerEntry(service.dir, model.handler);
    const declared: Record<string, string> = {};
    for (const [key, value] of Object.entries(resolvedEnv ?? {})) declared[key] = stringifyEnvValue(value);
    const env: Record<string, string> = { ...declared, ...this.lambdaEnv({ ...model, functionName }) };
    if (this.functions.has(functionName)) {
      throw new Error(
        `function name ${functionName} is defined twice (services ${service.name} and ${this.functions.get(functionName)?.model.service})`,
      );
    }
    const group = this.groupFor(service.name, declared);
    const fn: HostedFunction = {
      model: { ...model, functionName },
      declared,
      env,
      entry,
      exportName,
      group,
      invocations: 0,
    };
    group.functions.push(fn);
    group.memorySize = Math.max(group.memorySize, model.memorySize);
    this.functions.set(functionName, fn);
  }

  private groupFor(service: string, declared: Record<string, string>): FunctionGroup {
    const key = environmentGroupKey(service, declared);
    let group = this.groups.get(key);
    if (!group) {
      const ordinal = [...this.groups.values()].filter((g) => g.service === service).length + 1;
      group = { id: `${service}#${ordinal}`, service, functions: [], slots: [], waiters: [], memorySize: 0 };
      this.groups.set(key, group);
    }
    return group;
  }

  /** The variables a function's configuration declares (without Lambda's own), by name or ARN. */
  declaredEnvironment(functionNameOrArn: string): Record<string, string> | undefined {
    const fn = this.functions.get(functionNameFromArn(functionNameOrArn));
    return fn ? { ...fn.declared } : undefined;
  }

  /**
   * Lambda's UpdateFunctionConfiguration for the environment: `variables` replace the declared ones.
   * As on Lambda, later invocations run in fresh sandboxes: no warm worker keeps the function's old
   * module instance, and the function moves to the group of its new environment (decision 19).
   */
  updateEnvironment(functionNameOrArn: string, variables: Record<string, string>): void {
    const fn = this.functions.get(functionNameFromArn(functionNameOrArn));
    if (!fn) throw new Error(`Function not found: ${functionNameOrArn}`);
    const name = fn.model.functionName;
    for (const slot of fn.group.slots) slot.loaded.delete(name);
    fn.group.functions = fn.group.functions.filter((other) => other !== fn);
    fn.declared = { ...variables };
    fn.env = { ...fn.declared, ...this.lambdaEnv(fn.model), ...this.localEnvironment };
    fn.group = this.groupFor(fn.model.service, fn.declared);
    fn.group.functions.push(fn);
    fn.group.memorySize = Math.max(fn.group.memorySize, fn.model.memorySize);
  }

  /** What Lambda itself puts in the environment, plus the local endpoints and dummy credentials. */
  private lambdaEnv(model: FunctionModel): Record<string, string> {
    const env: Record<string, string> = {
      AWS_REGION: this.region,
      AWS_DEFAULT_REGION: this.region,
      AWS_LAMBDA_FUNCTION_NAME: model.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(model.memorySize),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${model.functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: `local/[$LATEST]${model.logicalId}`,
      AWS_EXECUTION_ENV: `AWS_Lambda_${model.runtime ?? 'nodejs22.x'}`,
      AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
      // Local emulators accept any credentials; the default provider chain finds these.
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SESSION_TOKEN: 'local',
      LAMBDA_TASK_ROOT: model.serviceDir,
      LAMBDA_RUNTIME_DIR: model.serviceDir,
      TZ: 'UTC',
      LANG: 'en_US.UTF-8',
    };
    for (const [key, url] of Object.entries(this.options.endpoints ?? {}) as [
      keyof Endpoints,
      string | undefined,
    ][]) {
      if (!url) continue;
      for (const name of ENDPOINT_VARIABLES[key] ?? []) env[name] = url;
    }
    return env;
  }

  /** Physical names of all hosted functions. */
  functionNames(): string[] {
    return [...this.functions.keys()];
  }

  /** The model of a hosted function, by name or ARN. */
  describe(functionNameOrArn: string): FunctionModel | undefined {
    return this.functions.get(functionNameFromArn(functionNameOrArn))?.model;
  }

  /**
   * Adds variables the local cloud itself provides to every function (such as
   * SWITCHYARD_LOCAL_API_URL, known only once the gateway listens). Call before invocations start;
   * they never change environment groups.
   */
  addLocalEnvironment(variables: Record<string, string>): void {
    Object.assign(this.localEnvironment, variables);
    for (const fn of this.functions.values()) Object.assign(fn.env, variables);
  }

  /** The environment a function sees (resolved template variables + Lambda's). */
  environmentOf(functionNameOrArn: string): Record<string, string> | undefined {
    const fn = this.functions.get(functionNameFromArn(functionNameOrArn));
    return fn ? { ...fn.env } : undefined;
  }

  functionArn(functionName: string): string {
    return `arn:aws:lambda:${this.region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`;
  }

  stats(): FunctionStats[] {
    return [...this.functions.values()].map((fn) => {
      const name = fn.model.functionName;
      const { slots, waiters } = fn.group;
      return {
        functionName: name,
        service: fn.model.service,
        group: fn.group.id,
        workers: slots.filter((s) => s.loaded.has(name)).length,
        busy: slots.filter((s) => s.pending?.fn === fn).length,
        queued: waiters.filter((w) => w.functionName === name).length,
        invocations: fn.invocations,
      };
    });
  }

  groupStats(): FunctionGroupStats[] {
    return [...this.groups.values()].map((group) => ({
      group: group.id,
      service: group.service,
      functions: group.functions.map((fn) => fn.model.functionName),
      workers: group.slots.length,
      busy: group.slots.filter((s) => s.busy).length,
      queued: group.waiters.length,
      memorySize: group.memorySize,
    }));
  }

  async invoke(functionNameOrArn: string, event: unknown): Promise<InvocationResult> {
    if (this.stopped) return failure('ServiceException', 'the function host is stopped');
    const fn = this.functions.get(functionNameFromArn(functionNameOrArn));
    if (!fn) return failure('ResourceNotFoundException', `Function not found: ${functionNameOrArn}`);
    let eventText: string;
    try {
      eventText = JSON.stringify(event ?? null);
    } catch (err) {
      return failure('InvalidRequestContentException', `event is not JSON: ${(err as Error).message}`);
    }
    let bundle: Bundle;
    try {
      bundle = await this.currentBundle(fn);
    } catch (err) {
      return failure('Runtime.ImportModuleError', `bundling ${fn.entry} failed: ${(err as Error).message}`);
    }
    const slot = await this.acquire(fn, bundle);
    if (!slot) return failure('ServiceException', 'the function host stopped');
    fn.invocations++;
    try {
      return await this.run(fn, slot, bundle, eventText);
    } finally {
      this.release(slot);
    }
  }

  private async acquire(fn: HostedFunction, bundle: Bundle): Promise<WorkerSlot | undefined> {
    const name = fn.model.functionName;
    for (;;) {
      if (this.stopped) return undefined;
      // Read each turn: UpdateFunctionConfiguration may have moved the function to another group.
      const { group } = fn;
      // Workers holding an older bundle of this function retire, so the next invocation sees the edit.
      let warm: WorkerSlot | undefined;
      let other: WorkerSlot | undefined;
      let retiredIdle = false;
      for (const slot of group.slots) {
        const version = slot.loaded.get(name);
        if (version !== undefined && version !== bundle.version) slot.retired = true;
        if (slot.busy) continue;
        if (slot.retired) retiredIdle = true;
        else if (version !== undefined) warm ??= slot;
        else other ??= slot;
      }
      if (retiredIdle) {
        for (const slot of [...group.slots]) if (slot.retired && !slot.busy) this.discard(slot);
      }
      // A worker that already runs this function, else an idle one of the group (which loads it).
      const idle = warm ?? other;
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (group.slots.length < this.maxConcurrency) {
        const slot = this.spawn(group);
        slot.busy = true;
        return slot;
      }
      await new Promise<void>((wake) => group.waiters.push({ functionName: name, wake }));
    }
  }

  private release(slot: WorkerSlot): void {
    slot.busy = false;
    slot.lastUsed = Date.now();
    if (slot.retired) this.discard(slot);
    slot.group.waiters.shift()?.wake();
  }

  private spawn(group: FunctionGroup): WorkerSlot {
    // Each function's own variables come with its first invocation; the worker starts with those
    // of the group's first function (the declared part is the same for all of them).
    const first = group.functions[0];
    const worker = new Worker(WORKER_BOOTSTRAP, {
      eval: true,
      env: { ...(first?.env ?? {}) },
      stdout: true,
      stderr: true,
      resourceLimits:
        this.options.enforceMemoryLimit === false
          ? undefined
          : {
              maxOldGenerationSizeMb: Math.max(64, group.memorySize),
              maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
            },
      name: group.functions.length === 1 && first ? first.model.functionName : group.id,
    });
    const slot: WorkerSlot = {
      worker,
      group,
      loaded: new Map(),
      busy: false,
      retired: false,
      lastUsed: Date.now(),
      lastFunction: first?.model.functionName ?? group.id,
      partial: new Map(),
    };
    this.pipeOutput(slot);
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'log') {
        this.output(slot, message.fn ?? slot.lastFunction, message.stream ?? 'stdout', message.text ?? '');
      } else if (message.type === 'result' && slot.pending && slot.pending.id === message.id) {
        const pending = slot.pending;
        slot.pending = undefined;
        if (message.fatal) slot.retired = true;
        // A function whose module failed to load is loaded again on its next invocation.
        if (message.initError) slot.loaded.delete(pending.fn.model.functionName);
        if (message.ok) {
          pending.resolve({ ok: true, result: JSON.parse(message.payload ?? 'null') as unknown });
        } else {
          pending.resolve({ ok: false, error: cleanError(message.error) });
        }
      } else if (message.type === 'fatal') {
        slot.retired = true;
        const error = message.error;
        this.output(
          slot,
          message.fn ?? slot.lastFunction,
          'stderr',
          `${error.errorType}: ${error.errorMessage} (outside any invocation; the sandbox restarts)\n`,
        );
      }
    });
    const onGone = (error?: Error) => {
      slot.retired = true;
      const pending = slot.pending;
      slot.pending = undefined;
      if (pending) {
        const { model } = pending.fn;
        const crash: InvocationError =
          error &&
          /ERR_WORKER_OUT_OF_MEMORY/.test(String((error as NodeJS.ErrnoException).code ?? error.message))
            ? {
                errorType: 'Runtime.OutOfMemory',
                errorMessage: `${model.functionName} ran out of memory (MemorySize ${group.memorySize} MB)`,
              }
            : {
                errorType: 'Runtime.ExitError',
                errorMessage: `${model.functionName} exited${error ? `: ${error.message}` : ''}`,
              };
        pending.resolve({ ok: false, error: crash });
      }
      this.flushOutput(slot);
      this.discard(slot);
    };
    worker.on('error', onGone);
    worker.on('exit', () => onGone());
    group.slots.push(slot);
    return slot;
  }

  private async run(
    fn: HostedFunction,
    slot: WorkerSlot,
    bundle: Bundle,
    eventText: string,
  ): Promise<InvocationResult> {
    const { model } = fn;
    const name = model.functionName;
    const started = Date.now();
    const deadlineMs = started + model.timeoutSeconds * 1000;
    const id = randomUUID();
    // The function's bundle, environment and context go with its first invocation in this worker.
    const load =
      slot.loaded.get(name) === bundle.version
        ? undefined
        : {
            bundlePath: bundle.path,
            exportName: fn.exportName,
            handler: model.handler,
            env: fn.env,
            context: {
              functionName: name,
              functionVersion: '$LATEST',
              invokedFunctionArn: this.functionArn(name),
              memoryLimitInMB: String(model.memorySize),
              logGroupName: `/aws/lambda/${name}`,
              logStreamName: `local/[$LATEST]${model.logicalId}`,
            },
          };
    slot.loaded.set(name, bundle.version);
    slot.lastFunction = name;
    return new Promise<InvocationResult>((resolveRun) => {
      let done = false;
      const finish = (result: InvocationResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolveRun(result);
      };
      // Lambda's timeout covers the whole invocation; past it the sandbox is killed, not asked to
      // stop. Only this invocation fails: the worker's other functions start again on their next one.
      const timer = setTimeout(() => {
        slot.retired = true;
        slot.pending = undefined;
        void slot.worker.terminate();
        finish(
          failure('Sandbox.Timedout', `Task timed out after ${model.timeoutSeconds.toFixed(2)} seconds`),
        );
      }, deadlineMs - started);
      slot.pending = { id, fn, resolve: finish };
      // Posted at once: a starting worker receives it when its bootstrap listens.
      slot.worker.postMessage({ type: 'invoke', id, fn: name, event: eventText, deadlineMs, load });
    });
  }

  private discard(slot: WorkerSlot): void {
    const { group } = slot;
    const index = group.slots.indexOf(slot);
    if (index >= 0) group.slots.splice(index, 1);
    slot.retired = true;
    void slot.worker.terminate();
    // A freed capacity slot may let a queued invocation start a new worker.
    group.waiters.shift()?.wake();
  }

  private get log(): (functionName: string, line: string) => void {
    return this.options.log ?? ((name: string, line: string) => process.stdout.write(`[${name}] ${line}\n`));
  }

  /** Complete lines of a function's output go to the log; a partial one waits for its newline. */
  private output(slot: WorkerSlot, functionName: string, stream: string, text: string): void {
    const key = `${stream}\0${functionName}`;
    let buffered = (slot.partial.get(key) ?? '') + text;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      this.log(functionName, buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
    if (buffered) slot.partial.set(key, buffered);
    else slot.partial.delete(key);
  }

  private flushOutput(slot: WorkerSlot): void {
    for (const [key, rest] of slot.partial) this.log(key.slice(key.indexOf('\0') + 1), rest);
    slot.partial.clear();
  }

  /** What reaches the worker's own stdout/stderr (not through the bootstrap's messages). */
  private pipeOutput(slot: WorkerSlot): void {
    for (const [name, stream] of [
      ['stdout', slot.worker.stdout],
      ['stderr', slot.worker.stderr],
    ] as const) {
      stream.setEncoding('utf8');
      const label = `raw-${name}`;
      stream.on('data', (chunk: string) =>
        this.output(slot, slot.pending?.fn.model.functionName ?? slot.lastFunction, label, chunk),
      );
    }
  }

  private reapIdle(): void {
    const now = Date.now();
    for (const group of this.groups.values()) {
      for (const slot of [...group.slots]) {
        if (!slot.busy && now - slot.lastUsed > this.idleTimeoutMs) this.discard(slot);
      }
    }
  }

  /** The bundle for a function's source, rebuilt when a bundled source file changed (edit and go). */
  private async currentBundle(fn: HostedFunction): Promise<Bundle> {
    const existing = this.bundles.get(fn.entry);
    if (existing) {
      const now = Date.now();
      if (now - existing.checkedAt < SOURCE_CHECK_INTERVAL_MS) return existing;
      if (!changed(existing)) {
        existing.checkedAt = now;
        return existing;
      }
    }
    let inFlight = this.building.get(fn.entry);
    if (!inFlight) {
      inFlight = this.bundle(fn).finally(() => this.building.delete(fn.entry));
      this.building.set(fn.entry, inFlight);
    }
    return inFlight;
  }

  private async bundle(fn: HostedFunction): Promise<Bundle> {
    const { entry, model } = fn;
    const rel = relative(model.serviceDir, entry).replace(/\.[^.]+$/, '');
    const key = createHash('sha1').update(entry).digest('hex').slice(0, 10);
    const outfile = join(this.buildDir, model.service, `${rel.replace(/[\\/]/g, '_')}-${key}`, 'index.js');
    const startedAt = Date.now();
    const result = await runBuild({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      // A source map file beside the bundle, without the sources' text: stack traces point at the
      // TypeScript, while a worker holds neither an inline base64 copy of the map in the bundle's
      // source string nor every bundled source's text (a few MB per function).
      sourcemap: 'linked',
      sourcesContent: false,
      minifyWhitespace: true,
      metafile: true,
      write: false,
      logLevel: 'silent',
      absWorkingDir: model.serviceDir,
      external: this.options.external ?? DEFAULT_EXTERNAL,
    });
    const code = result.outputFiles.find((file) => file.path.endsWith('.js'));
    const map = result.outputFiles.find((file) => file.path.endsWith('.js.map'));
    if (!code) throw new Error(`esbuild produced no output for ${entry}`);
    mkdirSync(dirname(outfile), { recursive: true });
    // Write then rename, so a worker never loads a half-written file; the map first, as loading the
    // bundle reads it.
    const suffix = `${process.pid}.${Date.now()}.tmp`;
    if (map) {
      writeFileSync(`${outfile}.map.${suffix}`, map.contents);
      renameSync(`${outfile}.map.${suffix}`, `${outfile}.map`);
    }
    writeFileSync(`${outfile}.${suffix}`, code.contents);
    renameSync(`${outfile}.${suffix}`, outfile);
    const inputs = new Map<string, number>();
    for (const input of Object.keys(result.metafile.inputs)) {
      // Dependencies change rarely; watching only our sources keeps the per-invocation check cheap.
      if (input.includes('node_modules/')) continue;
      const path = resolve(model.serviceDir, input);
      inputs.set(path, mtimeOf(path));
    }
    const bundle: Bundle = {
      path: outfile,
      version: `${startedAt}-${code.hash}`,
      inputs,
      checkedAt: Date.now(),
    };
    this.bundles.set(entry, bundle);
    return bundle;
  }

  /** Terminates every worker. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reaper);
    const terminations: Promise<number>[] = [];
    for (const group of this.groups.values()) {
      for (const slot of group.slots) {
        slot.retired = true;
        const pending = slot.pending;
        slot.pending = undefined;
        pending?.resolve(failure('ServiceException', 'the function host stopped'));
        terminations.push(slot.worker.terminate());
      }
      group.slots = [];
      for (const waiter of group.waiters.splice(0)) waiter.wake();
    }
    await Promise.allSettled(terminations);
  }
}

interface WorkerMessage {
  type: 'result' | 'log' | 'fatal';
  id?: string;
  ok?: boolean;
  payload?: string;
  error: InvocationError & { stackTrace?: string[] };
  fatal?: boolean;
  initError?: boolean;
  fn?: string;
  stream?: string;
  text?: string;
}

function mtimeOf(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

function changed(bundle: Bundle): boolean {
  for (const [path, mtime] of bundle.inputs) if (mtimeOf(path) !== mtime) return true;
  return false;
}

function failure(errorType: string, errorMessage: string): InvocationResult {
  return { ok: false, error: { errorType, errorMessage } };
}

function cleanError(
  error: InvocationError & { stackTrace?: string[] },
): InvocationError & { stackTrace?: string[] } {
  return {
    errorType: error.errorType,
    errorMessage: error.errorMessage,
    ...(error.stackTrace ? { stackTrace: error.stackTrace } : {}),
  };
}
