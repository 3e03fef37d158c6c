/**
 * Hosts every service's functions the way Lambda does, on one machine: code is bundled from source
 * on demand and bundled again when a source file changes (./bundler.ts); functions run in worker
 * threads, one invocation at a time per worker, and a handler that outlives its Timeout has its
 * worker terminated (./worker-pool.ts).
 *
 * Functions of a service whose template declares the same environment form a group and share its
 * workers (at most `maxConcurrency` per group): a worker loads each function's own bundle as its own
 * module (module-level state stays per function) and shares only what bundles leave external (the
 * AWS SDK), once per worker. Before each invocation the worker puts the function's own environment
 * (its declared variables plus Lambda's, such as AWS_LAMBDA_FUNCTION_NAME: ./environment.ts) in
 * process.env. An idle worker of one group may be taken by another (a start costs ten bundle
 * loads), its module instances kept, so a function's own module state and environment hold whichever
 * worker runs it (./worker-pool.ts).
 */
import { join } from 'node:path';
import { findRepoRoot, localBuildDir } from '../../repo-root';
import type { Endpoints, InvocationResult, Invoker, PackagedService, ResourceRegistry } from '../../types';
import { LOCAL_ACCOUNT_ID } from '../../types';
import { functionNameFromArn, readServiceModel } from '../template';
import type { FunctionModel } from '../template';
import { Bundler, resolveHandlerEntry } from './bundler';
import type { Bundle } from './bundler';
import { declaredVariables, lambdaEnvironment } from './environment';
import { InvocationMetrics } from './invocation-metrics';
import { invocationFailure, WorkerPool } from './worker-pool';
import type { FunctionGroupStats, InvocationStreaming, PooledFunction } from './worker-pool';

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
  /** A group's last worker is stopped after this long idle. Default 10 minutes. */
  idleTimeoutMs?: number;
  /** A group's other workers (started by a burst) are stopped after this long idle. Default 10 s. */
  surplusIdleTimeoutMs?: number;
  /** Idle workers kept past surplusIdleTimeoutMs across all groups. Default MAX_WARM_WORKERS (4). */
  maxWarmWorkers?: number;
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
  /** Busy workers from which a group's first invocation waits for one to come free. Default: the cores. */
  busyWorkersBeforeWaiting?: number;
  /** The longest an invocation waits so before starting a worker anyway. Default 500 ms. */
  startPatienceMs?: number;
  /** See WorkerPoolOptions.workersBeforeWaiting. */
  workersBeforeWaiting?: number;
  /** See WorkerPoolOptions.saturatedPatienceMs. */
  saturatedPatienceMs?: number;
  /** See WorkerPoolOptions.processCpuMs (tests). */
  processCpuMs?: () => number;
  /** See WorkerPoolOptions.startingUp: until started(), groups that have workers wait to add one. */
  startingUp?: boolean;
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

interface HostedFunction extends PooledFunction {
  /** The variables its configuration declares (the template's, or UpdateFunctionConfiguration's). */
  declared: Record<string, string>;
  entry: string;
}

/**
 * The endpoint variables a function declares itself. Lambda sets none of them, so on AWS a declared
 * one is what the SDK uses; locally it wins over the emulator endpoints the host sets (a test points
 * one function at a failing DynamoDB this way, with UpdateFunctionConfiguration).
 */
function declaredEndpoints(declared: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(declared).filter(([name]) => name.startsWith('AWS_ENDPOINT_URL')));
}

export class FunctionHost implements Invoker {
  private readonly functions = new Map<string, HostedFunction>();
  /** Invocations, errors and durations of the last minutes (the AWS/Lambda metrics, locally). */
  readonly metrics = new InvocationMetrics();
  /** What addLocalEnvironment gave every function (kept across UpdateFunctionConfiguration). */
  private readonly localEnvironment: Record<string, string> = {};
  private readonly region: string;
  private readonly bundler: Bundler;
  private readonly pool: WorkerPool;
  private stopped = false;

  private readonly invokedListeners: ((service: string) => void)[] = [];
  private inFlight = 0;
  private lastActivityAt = 0;

  constructor(private readonly options: FunctionHostOptions) {
    this.region = options.region ?? 'us-east-1';
    const buildDir = options.buildDir ?? localBuildDir(findRepoRoot() ?? process.cwd());
    this.bundler = new Bundler({
      buildDir,
      ...(options.external ? { external: options.external } : {}),
    });
    this.pool = new WorkerPool({
      maxWorkersPerGroup: Math.max(1, options.maxConcurrency ?? 4),
      idleTimeoutMs: options.idleTimeoutMs ?? 10 * 60_000,
      ...(options.maxWarmWorkers !== undefined ? { maxWarmWorkers: options.maxWarmWorkers } : {}),
      ...(options.surplusIdleTimeoutMs !== undefined
        ? { surplusIdleTimeoutMs: options.surplusIdleTimeoutMs }
        : {}),
      ...(options.enforceMemoryLimit !== undefined ? { enforceMemoryLimit: options.enforceMemoryLimit } : {}),
      ...(options.busyWorkersBeforeWaiting !== undefined
        ? { busyWorkersBeforeWaiting: options.busyWorkersBeforeWaiting }
        : {}),
      ...(options.startPatienceMs !== undefined ? { startPatienceMs: options.startPatienceMs } : {}),
      ...(options.saturatedPatienceMs !== undefined
        ? { saturatedPatienceMs: options.saturatedPatienceMs }
        : {}),
      ...(options.processCpuMs ? { processCpuMs: options.processCpuMs } : {}),
      ...(options.startingUp ? { startingUp: true } : {}),
      ...(options.workersBeforeWaiting !== undefined
        ? { workersBeforeWaiting: options.workersBeforeWaiting }
        : {}),
      functionArn: (name) => this.functionArn(name),
      compileCacheDir: join(buildDir, 'compile-cache'),
      log: options.log ?? ((name, line) => process.stdout.write(`[${name}] ${line}\n`)),
    });
    for (const service of options.services) {
      for (const model of readServiceModel(service).functions) this.register(service, model);
    }
  }

  private register(service: PackagedService, model: FunctionModel): void {
    const resolvedName = this.options.registry.resolve(service.name, model.functionName);
    const functionName = typeof resolvedName === 'string' ? resolvedName : model.functionName;
    const resolvedEnv = this.options.registry.resolve(service.name, model.environment) as
      Record<string, unknown> | undefined;
    const { entry, exportName } = resolveHandlerEntry(service.dir, model.handler);
    const declared = declaredVariables(resolvedEnv);
    const hosted = { ...model, functionName };
    if (this.functions.has(functionName)) {
      throw new Error(
        `function name ${functionName} is defined twice (services ${service.name} and ${this.functions.get(functionName)?.model.service})`,
      );
    }
    const group = this.pool.groupFor(service.name, declared);
    const fn: HostedFunction = {
      model: hosted,
      declared,
      env: { ...declared, ...this.lambdaEnv(hosted), ...declaredEndpoints(declared) },
      entry,
      exportName,
      group,
      invocations: 0,
    };
    this.pool.join(fn, group);
    this.functions.set(functionName, fn);
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
    this.pool.leave(fn);
    fn.declared = { ...variables };
    fn.env = {
      ...fn.declared,
      ...this.lambdaEnv(fn.model),
      ...this.localEnvironment,
      ...declaredEndpoints(fn.declared),
    };
    this.pool.join(fn, this.pool.groupFor(fn.model.service, fn.declared));
  }

  private lambdaEnv(model: FunctionModel): Record<string, string> {
    return lambdaEnvironment(model, this.region, this.options.endpoints);
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
    return [...this.functions.values()].map((fn) => ({
      functionName: fn.model.functionName,
      service: fn.model.service,
      group: fn.group.id,
      ...this.pool.functionStats(fn),
      invocations: fn.invocations,
    }));
  }

  groupStats(): FunctionGroupStats[] {
    return this.pool.groupStats();
  }

  async invoke(
    functionNameOrArn: string,
    event: unknown,
    streaming?: InvocationStreaming,
  ): Promise<InvocationResult> {
    if (this.stopped) return invocationFailure('ServiceException', 'the function host is stopped');
    const fn = this.functions.get(functionNameFromArn(functionNameOrArn));
    if (!fn)
      return invocationFailure('ResourceNotFoundException', `Function not found: ${functionNameOrArn}`);
    this.inFlight++;
    this.lastActivityAt = performance.now();
    try {
      return await this.invokeFunction(fn, event, streaming);
    } finally {
      this.inFlight--;
      this.lastActivityAt = performance.now();
    }
  }

  /**
   * Resolves true once no invocation has been in flight for `quietMs`: a chain of invocations (a
   * table's stream, the bus, a queue, the next function) has then run its course, as far as the
   * host can tell (its hops each take milliseconds). False when `timeoutMs` passes first.
   */
  async untilQuiet(options: { quietMs: number; timeoutMs: number }): Promise<boolean> {
    const deadline = performance.now() + options.timeoutMs;
    for (;;) {
      const now = performance.now();
      const quietFor = this.inFlight > 0 ? 0 : now - this.lastActivityAt;
      if (quietFor >= options.quietMs) return true;
      if (now >= deadline) return false;
      const wait = Math.min(options.quietMs - quietFor, deadline - now, 50);
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, wait)));
    }
  }

  private async invokeFunction(
    fn: HostedFunction,
    event: unknown,
    streaming?: InvocationStreaming,
  ): Promise<InvocationResult> {
    let eventText: string;
    try {
      eventText = JSON.stringify(event ?? null);
    } catch (err) {
      return invocationFailure(
        'InvalidRequestContentException',
        `event is not JSON: ${(err as Error).message}`,
      );
    }
    let bundle: Bundle;
    try {
      bundle = await this.bundler.current({
        entry: fn.entry,
        service: fn.model.service,
        serviceDir: fn.model.serviceDir,
      });
    } catch (err) {
      this.metrics.record(fn.model.functionName, 0, true);
      return invocationFailure(
        'Runtime.ImportModuleError',
        `bundling ${fn.entry} failed: ${(err as Error).message}`,
      );
    }
    // Lambda's Duration leaves out the cold start; here, bundling (the build of the deployment package).
    const started = performance.now();
    const result = await this.pool.invoke(fn, bundle, eventText, streaming);
    this.metrics.record(fn.model.functionName, performance.now() - started, !result.ok);
    for (const listener of this.invokedListeners) listener(fn.model.service);
    return result;
  }

  /** Calls `listener` with the function's service after each invocation ends (successful or not). */
  onInvoked(listener: (service: string) => void): void {
    this.invokedListeners.push(listener);
  }

  /** The cloud is ready: groups scale out at once under load again (see WorkerPoolOptions.startingUp). */
  started(): void {
    this.pool.started();
  }

  /** Terminates every worker. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.pool.stop();
  }
}
