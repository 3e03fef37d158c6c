/**
 * Hosts every service's functions the way Lambda does, on one machine: code is bundled from source
 * on demand (and re-bundled when a source file changes), each function runs in its own worker
 * threads with exactly its template's environment plus Lambda's own variables, one invocation at a
 * time per worker, and a handler that outlives its Timeout has its worker terminated.
 */
import { randomUUID, createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
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
  /** Warm workers per function (Lambda's concurrency); further invocations queue. Default 4. */
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
  workers: number;
  busy: number;
  queued: number;
  invocations: number;
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
 */
const YOUNG_GENERATION_MB = 4;

interface WorkerSlot {
  worker: Worker;
  version: string;
  ready: Promise<InvocationError | undefined>;
  /** Set once the worker said it is ready: invocations are then posted without waiting on `ready`. */
  isReady: boolean;
  busy: boolean;
  retired: boolean;
  lastUsed: number;
  pending?: { id: string; resolve: (result: InvocationResult) => void };
}

interface HostedFunction {
  model: FunctionModel;
  env: Record<string, string>;
  entry: string;
  exportName: string;
  slots: WorkerSlot[];
  waiters: (() => void)[];
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

export class FunctionHost implements Invoker {
  private readonly functions = new Map<string, HostedFunction>();
  private readonly bundles = new Map<string, Bundle>();
  private readonly building = new Map<string, Promise<Bundle>>();
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
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(resolvedEnv ?? {})) env[key] = stringifyEnvValue(value);
    Object.assign(env, this.lambdaEnv({ ...model, functionName }));
    if (this.functions.has(functionName)) {
      throw new Error(
        `function name ${functionName} is defined twice (services ${service.name} and ${this.functions.get(functionName)?.model.service})`,
      );
    }
    this.functions.set(functionName, {
      model: { ...model, functionName },
      env,
      entry,
      exportName,
      slots: [],
      waiters: [],
      invocations: 0,
    });
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

  /** The environment a function's workers get (resolved template variables + Lambda's). */
  environmentOf(functionNameOrArn: string): Record<string, string> | undefined {
    const fn = this.functions.get(functionNameFromArn(functionNameOrArn));
    return fn ? { ...fn.env } : undefined;
  }

  functionArn(functionName: string): string {
    return `arn:aws:lambda:${this.region}:${LOCAL_ACCOUNT_ID}:function:${functionName}`;
  }

  stats(): FunctionStats[] {
    return [...this.functions.values()].map((fn) => ({
      functionName: fn.model.functionName,
      service: fn.model.service,
      workers: fn.slots.length,
      busy: fn.slots.filter((s) => s.busy).length,
      queued: fn.waiters.length,
      invocations: fn.invocations,
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
    fn.invocations++;
    try {
      return await this.run(fn, slot, eventText);
    } finally {
      this.release(fn, slot);
    }
  }

  private async acquire(fn: HostedFunction, bundle: Bundle): Promise<WorkerSlot> {
    for (;;) {
      // Workers running older code retire so the next invocation sees the edit.
      let idle: WorkerSlot | undefined;
      let retiredIdle = false;
      for (const slot of fn.slots) {
        if (slot.version !== bundle.version) slot.retired = true;
        if (slot.busy) continue;
        if (slot.retired) retiredIdle = true;
        else idle ??= slot;
      }
      if (retiredIdle) {
        for (const slot of [...fn.slots]) if (slot.retired && !slot.busy) this.discard(fn, slot);
      }
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (fn.slots.length < this.maxConcurrency) {
        const slot = this.spawn(fn, bundle);
        slot.busy = true;
        return slot;
      }
      await new Promise<void>((resolveWaiter) => fn.waiters.push(resolveWaiter));
    }
  }

  private release(fn: HostedFunction, slot: WorkerSlot): void {
    slot.busy = false;
    slot.lastUsed = Date.now();
    if (slot.retired) this.discard(fn, slot);
    fn.waiters.shift()?.();
  }

  private spawn(fn: HostedFunction, bundle: Bundle): WorkerSlot {
    const { model } = fn;
    const worker = new Worker(WORKER_BOOTSTRAP, {
      eval: true,
      env: { ...fn.env },
      workerData: {
        bundlePath: bundle.path,
        exportName: fn.exportName,
        handler: model.handler,
        // The invocation context's constant part, sent once rather than with every invocation.
        context: {
          functionName: model.functionName,
          functionVersion: '$LATEST',
          invokedFunctionArn: this.functionArn(model.functionName),
          memoryLimitInMB: String(model.memorySize),
          logGroupName: `/aws/lambda/${model.functionName}`,
          logStreamName: `local/[$LATEST]${model.logicalId}`,
        },
      },
      stdout: true,
      stderr: true,
      resourceLimits:
        this.options.enforceMemoryLimit === false
          ? undefined
          : {
              maxOldGenerationSizeMb: Math.max(64, model.memorySize),
              maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
            },
      name: model.functionName,
    });
    this.pipeOutput(model.functionName, worker);
    const slot: WorkerSlot = {
      worker,
      version: bundle.version,
      busy: false,
      retired: false,
      lastUsed: Date.now(),
      ready: Promise.resolve(undefined),
      isReady: false,
    };
    slot.ready = new Promise((resolveReady) => {
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'ready') {
          slot.isReady = true;
          resolveReady(undefined);
        } else if (message.type === 'init-error') {
          slot.retired = true;
          resolveReady(message.error);
        } else if (message.type === 'result' && slot.pending && slot.pending.id === message.id) {
          const pending = slot.pending;
          slot.pending = undefined;
          if (message.fatal) slot.retired = true;
          if (message.ok) {
            pending.resolve({ ok: true, result: JSON.parse(message.payload ?? 'null') as unknown });
          } else {
            pending.resolve({ ok: false, error: cleanError(message.error) });
          }
        }
      });
      const onGone = (error?: Error) => {
        slot.retired = true;
        const crash: InvocationError =
          error &&
          /ERR_WORKER_OUT_OF_MEMORY/.test(String((error as NodeJS.ErrnoException).code ?? error.message))
            ? {
                errorType: 'Runtime.OutOfMemory',
                errorMessage: `${model.functionName} ran out of memory (MemorySize ${model.memorySize} MB)`,
              }
            : {
                errorType: 'Runtime.ExitError',
                errorMessage: `${model.functionName} exited${error ? `: ${error.message}` : ''}`,
              };
        resolveReady(crash);
        const pending = slot.pending;
        slot.pending = undefined;
        pending?.resolve({ ok: false, error: crash });
        this.discard(fn, slot);
      };
      worker.on('error', onGone);
      worker.on('exit', () => onGone());
    });
    fn.slots.push(slot);
    return slot;
  }

  private async run(fn: HostedFunction, slot: WorkerSlot, eventText: string): Promise<InvocationResult> {
    const { model } = fn;
    const started = Date.now();
    const deadlineMs = started + model.timeoutSeconds * 1000;
    const id = randomUUID();
    return new Promise<InvocationResult>((resolveRun) => {
      let done = false;
      const finish = (result: InvocationResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolveRun(result);
      };
      // Lambda's timeout covers the whole invocation; past it the sandbox is killed, not asked to stop.
      const timer = setTimeout(() => {
        slot.retired = true;
        slot.pending = undefined;
        void slot.worker.terminate();
        finish(
          failure('Sandbox.Timedout', `Task timed out after ${model.timeoutSeconds.toFixed(2)} seconds`),
        );
      }, deadlineMs - started);
      const post = () => {
        slot.pending = { id, resolve: finish };
        // Only what changes per invocation: the rest of the context went with the worker's workerData.
        slot.worker.postMessage({ type: 'invoke', id, event: eventText, deadlineMs });
      };
      // A warm worker takes the invocation at once; a starting one once it is ready (or failed to be).
      if (slot.isReady) {
        post();
        return;
      }
      void slot.ready.then((initError) => {
        if (done) return;
        if (initError) {
          slot.retired = true;
          finish({ ok: false, error: initError });
          return;
        }
        post();
      });
    });
  }

  private discard(fn: HostedFunction, slot: WorkerSlot): void {
    const index = fn.slots.indexOf(slot);
    if (index >= 0) fn.slots.splice(index, 1);
    slot.retired = true;
    void slot.worker.terminate();
    // A freed capacity slot may let a queued invocation start a new worker.
    fn.waiters.shift()?.();
  }

  private pipeOutput(functionName: string, worker: Worker): void {
    const log =
      this.options.log ?? ((name: string, line: string) => process.stdout.write(`[${name}] ${line}\n`));
    for (const stream of [worker.stdout, worker.stderr]) {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        let newline = buffered.indexOf('\n');
        while (newline >= 0) {
          log(functionName, buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
          newline = buffered.indexOf('\n');
        }
      });
      stream.on('end', () => {
        if (buffered) log(functionName, buffered);
      });
    }
  }

  private reapIdle(): void {
    const now = Date.now();
    for (const fn of this.functions.values()) {
      for (const slot of [...fn.slots]) {
        if (!slot.busy && now - slot.lastUsed > this.idleTimeoutMs) this.discard(fn, slot);
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
    const result = await build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      sourcemap: 'inline',
      metafile: true,
      write: false,
      logLevel: 'silent',
      absWorkingDir: model.serviceDir,
      external: this.options.external ?? DEFAULT_EXTERNAL,
    });
    const output = result.outputFiles[0];
    if (!output) throw new Error(`esbuild produced no output for ${entry}`);
    mkdirSync(dirname(outfile), { recursive: true });
    // Write then rename, so a worker never loads a half-written file.
    const temp = `${outfile}.${process.pid}.${Date.now()}.tmp`;
    writeFileSync(temp, output.contents);
    renameSync(temp, outfile);
    const inputs = new Map<string, number>();
    for (const input of Object.keys(result.metafile.inputs)) {
      // Dependencies change rarely; watching only our sources keeps the per-invocation check cheap.
      if (input.includes('node_modules/')) continue;
      const path = resolve(model.serviceDir, input);
      inputs.set(path, mtimeOf(path));
    }
    const bundle: Bundle = {
      path: outfile,
      version: `${startedAt}-${output.hash}`,
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
    for (const fn of this.functions.values()) {
      for (const slot of fn.slots) {
        slot.retired = true;
        const pending = slot.pending;
        slot.pending = undefined;
        pending?.resolve(failure('ServiceException', 'the function host stopped'));
        terminations.push(slot.worker.terminate());
      }
      fn.slots = [];
      for (const waiter of fn.waiters.splice(0)) waiter();
    }
    await Promise.allSettled(terminations);
  }
}

interface WorkerMessage {
  type: 'ready' | 'init-error' | 'result';
  id?: string;
  ok?: boolean;
  payload?: string;
  error: InvocationError & { stackTrace?: string[] };
  fatal?: boolean;
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
