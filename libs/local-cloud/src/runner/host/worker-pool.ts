/**
 * The worker threads functions run in. Functions of a service whose declared environment is the same
 * form a group and share its workers (at most `maxWorkersPerGroup`; further invocations queue): a
 * worker loads each function's own bundle as its own module and runs one invocation at a time. A
 * handler that outlives its Timeout has its worker terminated, as Lambda ends the sandbox; workers
 * idle for `idleTimeoutMs` are stopped, a burst's extra ones after `surplusIdleTimeoutMs`, and past
 * that, any beyond the pool's `maxWarmWorkers`, least recently used first.
 *
 * A worker's start (a V8 isolate, Node's bootstrap, the AWS SDK and the other shared packages: about
 * 0.4 s of CPU) costs ten times loading one more bundle into a running worker. So a group that needs
 * a worker first takes an idle one of another group (its functions' module instances stay loaded
 * there, for when it comes back). A group without a worker of its own, when `busyWorkersBeforeWaiting`
 * workers are already busy (the cores are taken), waits up to `startPatienceMs` for one to come free
 * before starting one, and up to `saturatedPatienceMs` while this process's threads use most of the
 * cores (busy workers that wait on I/O do not hold it up): a burst across services (a key's
 * projections, the start's probes) then runs on a few workers instead of one new worker per group,
 * each start slowing the others on a few cores. A group that has workers adds more at once under
 * load, up to `maxWorkersPerGroup`, while the pool holds fewer than `workersBeforeWaiting`; past
 * that it waits like a first worker.
 * Each function still runs with its own module instance and its own environment, whichever worker.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { InvocationError, InvocationResult } from '../../types';
import type { FunctionModel } from '../template';
import { environmentGroupKey, functionContext } from './environment';
import { ownCpuMs, processTreeCpuMs } from './process-cpu';
import { WORKER_BOOTSTRAP } from './worker-bootstrap';

/**
 * A warm function's young generation: V8's default (up to 16 MB per semi-space) is sized for
 * throughput; a local function handles one request at a time, and dozens of them idle side by side.
 * Measured (decision 26): 16 MB gives ingest's write path about 30% more events/s under load, but
 * workers keep the semi-spaces module loading grows, and the local cloud with every route invoked
 * once took 800 → 856 MB with the four compose services, past the 800 MB goal.
 */
const YOUNG_GENERATION_MB = 4;

/** What the pool needs to know of a function it runs. */
export interface PooledFunction {
  model: FunctionModel;
  /** Its whole environment: declared variables, Lambda's own and the local cloud's. */
  env: Record<string, string>;
  exportName: string;
  /** The group whose workers run it (see WorkerPool.groupFor). */
  group: FunctionGroup;
  invocations: number;
}

/** The bundle a worker loads for a function. */
export interface LoadableBundle {
  path: string;
  version: string;
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

export interface FunctionGroup {
  id: string;
  service: string;
  functions: PooledFunction[];
  slots: WorkerSlot[];
  waiters: { functionName: string; wake: () => void }[];
  /** The heap limit of the group's workers: its functions' largest MemorySize. */
  memorySize: number;
}

interface WorkerSlot {
  worker: Worker;
  /** The group it serves now: an idle worker may move to another group (see WorkerPool.adopt). */
  group: FunctionGroup;
  /** Its V8 heap limit in MB (Infinity when none), fixed at its start. */
  heapLimitMb: number;
  /** Functions whose bundle this worker has loaded (or is loading), with the bundle's version. */
  loaded: Map<string, string>;
  busy: boolean;
  retired: boolean;
  lastUsed: number;
  /** The function that ran last here: output that comes outside any invocation is attributed to it. */
  lastFunction: string;
  pending?: {
    id: string;
    fn: PooledFunction;
    resolve: (result: InvocationResult) => void;
    onChunk?: (chunk: Buffer) => void;
  };
  /** Partial output lines per function and stream, until their newline comes. */
  partial: Map<string, string>;
}

interface WorkerMessage {
  type: 'result' | 'log' | 'fatal' | 'chunk';
  id?: string;
  /** A chunk of a streamed response (response streaming), in order. */
  data?: Uint8Array;
  ok?: boolean;
  payload?: string;
  error: InvocationError & { stackTrace?: string[] };
  fatal?: boolean;
  initError?: boolean;
  fn?: string;
  stream?: string;
  text?: string;
}

/** A streaming invocation: its response's chunks as written, and the client's going away. */
export interface InvocationStreaming {
  onChunk?: (chunk: Buffer) => void;
  signal?: AbortSignal;
}

export interface WorkerPoolOptions {
  maxWorkersPerGroup: number;
  idleTimeoutMs: number;
  /**
   * A group's extra workers (beyond the one it keeps warm) idle this long are stopped: a burst's
   * workers (about 40 MB each) give their memory back soon after it, while the group's last worker
   * waits for idleTimeoutMs. Default SURPLUS_IDLE_TIMEOUT_MS.
   */
  surplusIdleTimeoutMs?: number;
  /**
   * Idle workers kept past surplusIdleTimeoutMs across all groups (MAX_WARM_WORKERS by default): the
   * least recently used beyond it retire even when each is its group's last, since a group without a
   * worker takes another's idle one for about a tenth of a new worker's start.
   */
  maxWarmWorkers?: number;
  /** Cap V8's heap at the group's MemorySize, as Lambda caps the sandbox. Default true. */
  enforceMemoryLimit?: boolean;
  /** The ARN a function's invocation context names. */
  functionArn: (functionName: string) => string;
  /**
   * Where workers keep V8's compiled code of the modules they load (node:module's compile cache),
   * so a cold start after the first compiles little (a quarter less CPU loading a bundle and its
   * packages). None when absent.
   */
  compileCacheDir?: string;
  /**
   * Busy workers (across every group) from which an invocation of a group without workers waits for
   * one to come free instead of starting one at once. Default: the machine's cores.
   */
  busyWorkersBeforeWaiting?: number;
  /**
   * Workers in the whole pool from which a group that has workers also waits (as a group's first
   * invocation does) before adding one. Default WORKERS_BEFORE_WAITING.
   */
  workersBeforeWaiting?: number;
  /** The longest such an invocation waits before starting a worker anyway. Default START_PATIENCE_MS. */
  startPatienceMs?: number;
  /**
   * The longest it waits while this process keeps the cores busy (SATURATED_PATIENCE_MS by default):
   * a worker started then would only share the same cores.
   */
  saturatedPatienceMs?: number;
  /**
   * The local cloud's CPU time so far, in ms. Default: while starting up, all this process's threads
   * and its running child processes (processTreeCpuMs(): DynamoDB Local's JVM works through the
   * start's chain of first invocations); afterwards this process's alone. Once ready, the JVM's load
   * is the traffic's: counting it held a group's first invocation for up to saturatedPatience, and
   * that invocation is the one a request or a stream is waiting for.
   */
  processCpuMs?: () => number;
  /**
   * Until started(), a group that has workers also waits (as a group's first invocation does) before
   * adding one. A start's invocations are one chain of first invocations on the machine's cores:
   * another worker's start costs about 0.35 s of CPU and runs no sooner there. Default false.
   */
  startingUp?: boolean;
  /** Receives each complete line a function writes to stdout/stderr. */
  log: (functionName: string, line: string) => void;
}

export const SURPLUS_IDLE_TIMEOUT_MS = 10_000;
/**
 * Workers (about 20-30 MB each) past which even a group that has workers waits before adding one:
 * twelve keep a burst across every service within the local cloud's memory (sixteen did not).
 */
export const WORKERS_BEFORE_WAITING = 12;
/** Warm workers the whole pool keeps once a burst is over (see WorkerPoolOptions.maxWarmWorkers). */
export const MAX_WARM_WORKERS = 4;
/**
 * About one worker start beside others on two cores: waiting longer than a start would take only
 * delays the invocation, when the busy workers run long (streams, slow webhooks).
 */
export const START_PATIENCE_MS = 500;
/**
 * How long a group's first invocation waits while the local cloud (its threads, and while it starts
 * the JVM too) keeps the cores busy (a burst of first invocations across services, as at every
 * start): starting a worker costs about 0.4 s of CPU and runs no sooner on cores that are taken,
 * while a worker coming free is taken over for a tenth of that.
 */
export const SATURATED_PATIENCE_MS = 3_000;
/** Share of the cores the local cloud must use, over the last wait, for the cores to count as taken. */
const SATURATED_CPU_SHARE = 0.75;
/** How often a saturated wait looks at the CPU again. */
const SATURATION_RECHECK_MS = 250;

/**
 * Whether the local cloud kept the cores busy since the previous look: its CPU time over the wall
 * time between two looks, against SATURATED_CPU_SHARE of the cores. The first look only sets the mark.
 */
class CoreSaturation {
  private mark: { cpuMs: number; atMs: number };
  private last = false;

  constructor(
    private readonly cpuMs: () => number,
    private readonly cores: number,
  ) {
    this.mark = { cpuMs: cpuMs(), atMs: performance.now() };
  }

  saturated(): boolean {
    const now = { cpuMs: this.cpuMs(), atMs: performance.now() };
    // A look too soon after the last (a worker came free and was taken by someone else) repeats it.
    if (now.atMs - this.mark.atMs < 50) return this.last;
    this.last =
      (now.cpuMs - this.mark.cpuMs) / (now.atMs - this.mark.atMs) >= SATURATED_CPU_SHARE * this.cores;
    this.mark = now;
    return this.last;
  }
}

export function invocationFailure(errorType: string, errorMessage: string): InvocationResult {
  return { ok: false, error: { errorType, errorMessage } };
}

export class WorkerPool {
  private readonly groups = new Map<string, FunctionGroup>();
  private readonly reaper: NodeJS.Timeout;
  private stopped = false;
  /** Invocations waiting for any worker to come free. */
  private freeWaiters: (() => void)[] = [];
  /** See WorkerPoolOptions.startingUp. */
  private startingUp: boolean;

  constructor(private readonly options: WorkerPoolOptions) {
    this.startingUp = options.startingUp ?? false;
    const surplusMs = options.surplusIdleTimeoutMs ?? SURPLUS_IDLE_TIMEOUT_MS;
    this.reaper = setInterval(
      () => this.reapIdle(),
      Math.min(30_000, Math.max(1_000, Math.min(options.idleTimeoutMs, surplusMs) / 2)),
    );
    this.reaper.unref();
  }

  /** The group of a service's functions that declare exactly this environment, made on first use. */
  groupFor(service: string, declared: Record<string, string>): FunctionGroup {
    const key = environmentGroupKey(service, declared);
    let group = this.groups.get(key);
    if (!group) {
      const ordinal = [...this.groups.values()].filter((g) => g.service === service).length + 1;
      group = { id: `${service}#${ordinal}`, service, functions: [], slots: [], waiters: [], memorySize: 0 };
      this.groups.set(key, group);
    }
    return group;
  }

  /** Puts a function in a group; the group's workers may use up to its MemorySize. */
  join(fn: PooledFunction, group: FunctionGroup): void {
    fn.group = group;
    group.functions.push(fn);
    group.memorySize = Math.max(group.memorySize, fn.model.memorySize);
  }

  /**
   * Takes a function out of its group, as when its configuration changes: no warm worker keeps its
   * module instance, so its next invocation runs in a fresh sandbox.
   */
  leave(fn: PooledFunction): void {
    // A worker that moved to another group may still hold the function's module instance.
    for (const slot of this.allSlots()) slot.loaded.delete(fn.model.functionName);
    fn.group.functions = fn.group.functions.filter((other) => other !== fn);
  }

  /** Runs one invocation in a worker of the function's group, waiting for one when all are busy. */
  async invoke(
    fn: PooledFunction,
    bundle: LoadableBundle,
    eventText: string,
    streaming?: InvocationStreaming,
  ): Promise<InvocationResult> {
    const slot = await this.acquire(fn, bundle);
    if (!slot) return invocationFailure('ServiceException', 'the function host stopped');
    fn.invocations++;
    try {
      return await this.run(fn, slot, bundle, eventText, streaming);
    } finally {
      this.release(slot);
    }
  }

  /** How many of its group's workers have a function loaded, run it, and wait to run it. */
  functionStats(fn: PooledFunction): { workers: number; busy: number; queued: number } {
    const name = fn.model.functionName;
    const slots = this.allSlots();
    return {
      workers: slots.filter((s) => s.loaded.has(name)).length,
      busy: slots.filter((s) => s.pending?.fn === fn).length,
      queued: fn.group.waiters.filter((w) => w.functionName === name).length,
    };
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

  private async acquire(fn: PooledFunction, bundle: LoadableBundle): Promise<WorkerSlot | undefined> {
    const name = fn.model.functionName;
    const since = performance.now();
    const patience = this.options.startPatienceMs ?? START_PATIENCE_MS;
    const saturatedPatience = Math.max(patience, this.options.saturatedPatienceMs ?? SATURATED_PATIENCE_MS);
    const cores = Math.max(1, availableParallelism());
    const busyLimit = this.options.busyWorkersBeforeWaiting ?? cores;
    const workersBeforeWaiting = this.options.workersBeforeWaiting ?? WORKERS_BEFORE_WAITING;
    // Made when the invocation first waits: CPU used since then (or since the last look).
    let saturation: CoreSaturation | undefined;
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
      if (group.slots.length < this.options.maxWorkersPerGroup) {
        const adopted = this.adopt(group);
        if (adopted) {
          adopted.busy = true;
          return adopted;
        }
        const waited = performance.now() - since;
        // A group with a worker of its own scales out at once, as Lambda adds instances under load,
        // until the pool holds workersBeforeWaiting. A group's first worker, and any past that, waits
        // a moment while the cores are taken (a burst across services), and on (up to
        // saturatedPatience) only while this process keeps them busy: busy workers that wait on I/O
        // (streams, slow webhooks) do not hold it up.
        const busy = () => this.allSlots().filter((slot) => slot.busy).length;
        const startNow =
          (group.slots.length > 0 && !this.startingUp && this.allSlots().length < workersBeforeWaiting) ||
          busy() < busyLimit ||
          (waited >= patience && (waited >= saturatedPatience || !saturation?.saturated()));
        if (startNow) {
          const slot = this.spawn(group);
          slot.busy = true;
          return slot;
        }
        if (waited < patience) {
          saturation ??= new CoreSaturation(
            this.options.processCpuMs ?? (this.startingUp ? processTreeCpuMs : ownCpuMs),
            cores,
          );
          await this.untilFree(patience - waited);
        } else {
          await this.untilFree(Math.min(SATURATION_RECHECK_MS, saturatedPatience - waited));
        }
        continue;
      }
      await new Promise<void>((wake) => group.waiters.push({ functionName: name, wake }));
    }
  }

  private release(slot: WorkerSlot): void {
    slot.busy = false;
    slot.lastUsed = Date.now();
    if (slot.retired) this.discard(slot);
    // The group's own waiter first: it runs before the others, which may adopt the worker otherwise.
    slot.group.waiters.shift()?.wake();
    this.wakeFreeWaiters();
  }

  private allSlots(): WorkerSlot[] {
    return [...this.groups.values()].flatMap((group) => group.slots);
  }

  /**
   * An idle worker of another group, moved to this one: loading one more bundle costs a tenth of a
   * worker's start. None when every idle worker's heap limit is below this group's MemorySize.
   */
  private adopt(group: FunctionGroup): WorkerSlot | undefined {
    const needed = this.heapLimitOf(group);
    let best: WorkerSlot | undefined;
    // Rank: a worker that ran this group's functions before (they are still loaded there), then one
    // its group can spare, then the longest idle.
    const rank = (slot: WorkerSlot) =>
      (group.functions.some((fn) => slot.loaded.has(fn.model.functionName)) ? 2 : 0) +
      (slot.group.slots.length > 1 ? 1 : 0);
    for (const slot of this.allSlots()) {
      if (slot.group === group || slot.busy || slot.retired || slot.heapLimitMb < needed) continue;
      if (!best || rank(slot) > rank(best) || (rank(slot) === rank(best) && slot.lastUsed < best.lastUsed))
        best = slot;
    }
    if (!best) return undefined;
    const from = best.group;
    from.slots.splice(from.slots.indexOf(best), 1);
    group.slots.push(best);
    best.group = group;
    return best;
  }

  private heapLimitOf(group: FunctionGroup): number {
    return this.options.enforceMemoryLimit === false ? Infinity : Math.max(64, group.memorySize);
  }

  /** Resolves when a worker comes free, or after `ms`. */
  private untilFree(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(
        () => {
          this.freeWaiters = this.freeWaiters.filter((waiter) => waiter !== done);
          resolve();
        },
        Math.max(1, ms),
      );
      this.freeWaiters.push(done);
    });
  }

  private wakeFreeWaiters(): void {
    const waiters = this.freeWaiters;
    this.freeWaiters = [];
    for (const wake of waiters) wake();
  }

  private spawn(group: FunctionGroup): WorkerSlot {
    // Each function's own variables come with its first invocation; the worker starts with those
    // of the group's first function (the declared part is the same for all of them).
    const first = group.functions[0];
    const heapLimitMb = this.heapLimitOf(group);
    const worker = new Worker(WORKER_BOOTSTRAP, {
      eval: true,
      workerData: { compileCacheDir: this.options.compileCacheDir },
      env: { ...(first?.env ?? {}) },
      stdout: true,
      stderr: true,
      resourceLimits:
        heapLimitMb === Infinity
          ? undefined
          : { maxOldGenerationSizeMb: heapLimitMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
      name: group.functions.length === 1 && first ? first.model.functionName : group.id,
    });
    const slot: WorkerSlot = {
      worker,
      group,
      heapLimitMb,
      loaded: new Map(),
      busy: false,
      retired: false,
      lastUsed: Date.now(),
      lastFunction: first?.model.functionName ?? group.id,
      partial: new Map(),
    };
    this.pipeOutput(slot);
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'chunk') {
        if (slot.pending && slot.pending.id === message.id && message.data) {
          slot.pending.onChunk?.(
            Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength),
          );
        }
      } else if (message.type === 'log') {
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
    fn: PooledFunction,
    slot: WorkerSlot,
    bundle: LoadableBundle,
    eventText: string,
    streaming?: InvocationStreaming,
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
            context: functionContext(model, this.options.functionArn(name)),
          };
    slot.loaded.set(name, bundle.version);
    slot.lastFunction = name;
    return new Promise<InvocationResult>((resolveRun) => {
      let done = false;
      const finish = (result: InvocationResult) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        streaming?.signal?.removeEventListener('abort', onAbort);
        resolveRun(result);
      };
      // The client went away: the function's response stream is destroyed, as Lambda does.
      const onAbort = () => slot.worker.postMessage({ type: 'abort', id });
      streaming?.signal?.addEventListener('abort', onAbort, { once: true });
      // Lambda's timeout covers the whole invocation; past it the sandbox is killed, not asked to
      // stop. Only this invocation fails: the worker's other functions start again on their next one.
      const timer = setTimeout(() => {
        slot.retired = true;
        slot.pending = undefined;
        void slot.worker.terminate();
        finish(
          invocationFailure(
            'Sandbox.Timedout',
            `Task timed out after ${model.timeoutSeconds.toFixed(2)} seconds`,
          ),
        );
      }, deadlineMs - started);
      slot.pending = {
        id,
        fn,
        resolve: finish,
        ...(streaming?.onChunk ? { onChunk: streaming.onChunk } : {}),
      };
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
    this.wakeFreeWaiters();
    // A freed capacity slot may let a queued invocation start a new worker.
    group.waiters.shift()?.wake();
  }

  /** Complete lines of a function's output go to the log; a partial one waits for its newline. */
  private output(slot: WorkerSlot, functionName: string, stream: string, text: string): void {
    const key = `${stream}\0${functionName}`;
    let buffered = (slot.partial.get(key) ?? '') + text;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      this.options.log(functionName, buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
    if (buffered) slot.partial.set(key, buffered);
    else slot.partial.delete(key);
  }

  private flushOutput(slot: WorkerSlot): void {
    for (const [key, rest] of slot.partial) this.options.log(key.slice(key.indexOf('\0') + 1), rest);
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
    const surplusMs = Math.min(
      this.options.surplusIdleTimeoutMs ?? SURPLUS_IDLE_TIMEOUT_MS,
      this.options.idleTimeoutMs,
    );
    for (const group of this.groups.values()) {
      // The most recently used worker stays for idleTimeoutMs; the others go after surplusMs.
      const newestFirst = [...group.slots].sort((a, b) => b.lastUsed - a.lastUsed);
      newestFirst.forEach((slot, index) => {
        const limit = index === 0 ? this.options.idleTimeoutMs : surplusMs;
        if (!slot.busy && now - slot.lastUsed > limit) this.discard(slot);
      });
    }
    // Past the pool's warm allowance, groups' last workers go too, least recently used first.
    const slots = this.allSlots();
    let excess = slots.length - (this.options.maxWarmWorkers ?? MAX_WARM_WORKERS);
    for (const slot of slots.sort((a, b) => a.lastUsed - b.lastUsed)) {
      if (excess <= 0) break;
      if (slot.busy || now - slot.lastUsed <= surplusMs) continue;
      this.discard(slot);
      excess--;
    }
  }

  /** The start is over: from now on a group that has workers adds one at once under load. */
  started(): void {
    this.startingUp = false;
  }

  /** Terminates every worker; invocations in flight or waiting fail. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.reaper);
    const terminations: Promise<number>[] = [];
    for (const group of this.groups.values()) {
      for (const slot of group.slots) {
        slot.retired = true;
        const pending = slot.pending;
        slot.pending = undefined;
        pending?.resolve(invocationFailure('ServiceException', 'the function host stopped'));
        terminations.push(slot.worker.terminate());
      }
      group.slots = [];
      for (const waiter of group.waiters.splice(0)) waiter.wake();
    }
    this.wakeFreeWaiters();
    await Promise.allSettled(terminations);
  }
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
