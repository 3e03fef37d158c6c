/**
 * Workers shared by the functions of an environment group (same service, same declared environment):
 * each function keeps its own Lambda variables, context and module state; a group that needs a worker
 * takes another group's idle one (each function still with its own environment and state), and waits
 * a moment for a busy one rather than starting many at once; a timeout fails only the invocation in flight.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudFormationTemplate } from '../../../src/packaging';
import { environmentGroupKey } from '../../../src/runner/host/environment';
import { FunctionHost } from '../../../src/runner/host/function-host';
import type { InvocationResult } from '../../../src/types';
import { copyFixture, fixtureResources, fixtureService, MapRegistry } from './helpers';

interface Seen {
  count: number;
  functionName: string;
  contextName: string;
  memory: string;
  logGroup: string;
  logStream: string;
  marker: string | null;
  onlyIn: string | null;
  loadedAs: string;
}

const COUNTER = `
// A module-level counter: each function must have its own, even when functions share a worker.
let count = 0;
const loadedAs = process.env.AWS_LAMBDA_FUNCTION_NAME;
export const handler = async (event: { mark?: string; waitMs?: number }, context: { functionName: string }) => {
  count += 1;
  if (event.waitMs) await new Promise((resolve) => setTimeout(resolve, event.waitMs));
  const marker = process.env.MARKER ?? null;
  if (event.mark) process.env.MARKER = event.mark;
  console.log('counted ' + count + ' in ' + context.functionName);
  return {
    count,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    contextName: context.functionName,
    memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroup: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStream: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    marker,
    onlyIn: process.env.ONLY_IN ?? null,
    loadedAs,
  };
};
`;

const HANG = `
export const handler = async () => {
  for (;;) {
    // spin until the sandbox is terminated
  }
};
`;

describe('function host: workers shared within an environment group', () => {
  let dir: string;
  let host: FunctionHost;
  let service: Awaited<ReturnType<typeof fixtureService>>;
  let template: CloudFormationTemplate;
  const logs: string[] = [];

  function addFunction(
    template: CloudFormationTemplate,
    logicalId: string,
    properties: Record<string, unknown>,
  ): void {
    const hello = template.Resources.HelloLambdaFunction as { Properties: Record<string, unknown> };
    template.Resources[logicalId] = {
      Type: 'AWS::Lambda::Function',
      Properties: { ...structuredClone(hello.Properties), ...properties },
    } as CloudFormationTemplate['Resources'][string];
  }

  async function call(name: string, event: unknown = {}): Promise<Seen> {
    const result = await host.invoke(name, event);
    if (!result.ok) throw new Error(`${name} failed: ${JSON.stringify(result.error)}`);
    return result.result as Seen;
  }

  function groupOf(name: string) {
    const stats = host.stats().find((s) => s.functionName === name);
    return host.groupStats().find((g) => g.group === stats?.group);
  }

  beforeAll(async () => {
    dir = copyFixture();
    writeFileSync(join(dir, 'src', 'handlers', 'counter.ts'), COUNTER);
    writeFileSync(join(dir, 'src', 'handlers', 'counter-copy.ts'), COUNTER);
    writeFileSync(join(dir, 'src', 'handlers', 'hang.ts'), HANG);
    service = await fixtureService(dir);
    template = structuredClone(service.template);
    const env = (extra: Record<string, unknown> = {}) => ({
      Variables: { SERVICE_NAME: 'sample', TABLE_NAME: { Ref: 'ItemsTable' }, ...extra },
    });
    // Same declared environment as hello (the provider's): one group.
    addFunction(template, 'CounterOneLambdaFunction', {
      FunctionName: 'sample-local-counterOne',
      Handler: 'src/handlers/counter.handler',
      Environment: env(),
    });
    addFunction(template, 'CounterTwoLambdaFunction', {
      FunctionName: 'sample-local-counterTwo',
      Handler: 'src/handlers/counter-copy.handler',
      MemorySize: 384,
      Environment: env(),
    });
    // The same handler file as counterOne, the same environment: its own module state all the same.
    addFunction(template, 'CounterSameFileLambdaFunction', {
      FunctionName: 'sample-local-counterSameFile',
      Handler: 'src/handlers/counter.handler',
      Environment: env(),
    });
    addFunction(template, 'HangLambdaFunction', {
      FunctionName: 'sample-local-hang',
      Handler: 'src/handlers/hang.handler',
      Timeout: 1,
      Environment: env(),
    });
    // Declares one more variable: a group (and workers) of its own.
    addFunction(template, 'CounterOtherEnvLambdaFunction', {
      FunctionName: 'sample-local-counterOtherEnv',
      Handler: 'src/handlers/counter.handler',
      Environment: env({ ONLY_IN: 'other' }),
    });
    // A group of its own whose MemorySize is above the others' heap limit: no worker of theirs fits it.
    addFunction(template, 'CounterBigLambdaFunction', {
      FunctionName: 'sample-local-counterBig',
      Handler: 'src/handlers/counter.handler',
      MemorySize: 1024,
      Environment: env({ ONLY_IN: 'big' }),
    });
    host = new FunctionHost({
      services: [{ ...service, template }],
      registry: new MapRegistry('sample', fixtureResources()),
      log: (name, line) => logs.push(`${name}: ${line}`),
      surplusIdleTimeoutMs: 1_500,
    });
  });

  afterAll(async () => {
    await host?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('groups functions by service and declared environment', () => {
    const hello = groupOf('sample-local-hello');
    expect(hello?.functions).toEqual(
      expect.arrayContaining([
        'sample-local-hello',
        'sample-local-counterOne',
        'sample-local-counterTwo',
        'sample-local-counterSameFile',
        'sample-local-hang',
      ]),
    );
    expect(hello?.functions).not.toContain('sample-local-counterOtherEnv');
    expect(hello?.memorySize).toBe(384);
    // The fixture's envA and envB declare different variables: separate groups, separate workers.
    const a = groupOf('sample-local-envA');
    const b = groupOf('sample-local-envB');
    expect(a?.group).not.toBe(b?.group);
    expect(a?.group).not.toBe(hello?.group);
    expect(groupOf('sample-local-counterOtherEnv')?.functions).toEqual(['sample-local-counterOtherEnv']);
    expect(environmentGroupKey('s', { A: '1', B: '2' })).toBe(environmentGroupKey('s', { B: '2', A: '1' }));
    expect(environmentGroupKey('s', { A: '1' })).not.toBe(environmentGroupKey('t', { A: '1' }));
    expect(environmentGroupKey('s', { A: '1' })).not.toBe(environmentGroupKey('s', { A: '2' }));
  });

  it('runs functions with the same declared environment in one worker, each with its own Lambda variables and module state', async () => {
    const one = await call('sample-local-counterOne', { mark: 'set-by-one' });
    const two = await call('sample-local-counterTwo');
    const same = await call('sample-local-counterSameFile');
    const oneAgain = await call('sample-local-counterOne');
    const twoAgain = await call('sample-local-counterTwo');

    // One worker ran all of them.
    const group = groupOf('sample-local-counterOne');
    expect(group?.workers).toBe(1);
    for (const name of [
      'sample-local-counterOne',
      'sample-local-counterTwo',
      'sample-local-counterSameFile',
    ]) {
      expect(host.stats().find((s) => s.functionName === name)).toMatchObject({
        group: group?.group,
        workers: 1,
      });
    }

    expect(one).toMatchObject({
      count: 1,
      functionName: 'sample-local-counterOne',
      contextName: 'sample-local-counterOne',
      loadedAs: 'sample-local-counterOne',
      memory: '256',
      logGroup: '/aws/lambda/sample-local-counterOne',
      logStream: 'local/[$LATEST]CounterOneLambdaFunction',
      marker: null,
    });
    expect(two).toMatchObject({
      count: 1,
      functionName: 'sample-local-counterTwo',
      contextName: 'sample-local-counterTwo',
      loadedAs: 'sample-local-counterTwo',
      memory: '384',
      logGroup: '/aws/lambda/sample-local-counterTwo',
      logStream: 'local/[$LATEST]CounterTwoLambdaFunction',
      // What counterOne put in its process.env stays its own.
      marker: null,
    });
    expect(same).toMatchObject({ count: 1, functionName: 'sample-local-counterSameFile', marker: null });
    expect(oneAgain).toMatchObject({
      count: 2,
      functionName: 'sample-local-counterOne',
      marker: 'set-by-one',
    });
    expect(twoAgain).toMatchObject({ count: 2, functionName: 'sample-local-counterTwo', marker: null });

    // Output is attributed to the function that wrote it.
    expect(logs).toEqual(
      expect.arrayContaining([
        'sample-local-counterOne: counted 1 in sample-local-counterOne',
        'sample-local-counterTwo: counted 1 in sample-local-counterTwo',
        'sample-local-counterOne: counted 2 in sample-local-counterOne',
      ]),
    );
  });

  it("takes another group's idle worker rather than starting one, each function keeping its own environment and state", async () => {
    const workers = () => host.groupStats().reduce((sum, group) => sum + group.workers, 0);
    expect(workers()).toBe(1);
    const other = await call('sample-local-counterOtherEnv');
    expect(other).toMatchObject({ count: 1, functionName: 'sample-local-counterOtherEnv', onlyIn: 'other' });
    // The one worker moved to the other group: none was started.
    expect(workers()).toBe(1);
    expect(groupOf('sample-local-counterOtherEnv')?.workers).toBe(1);
    expect(groupOf('sample-local-counterOne')?.workers).toBe(0);
    // Back again: counterOne's module instance was kept there, and ONLY_IN is not its variable.
    const one = await call('sample-local-counterOne');
    expect(one).toMatchObject({ count: 3, onlyIn: null, marker: 'set-by-one' });
    expect(workers()).toBe(1);
    expect(await call('sample-local-counterOtherEnv')).toMatchObject({ count: 2, onlyIn: 'other' });
    // The idle worker's heap limit (384 MB) is below counterBig's MemorySize: a worker of its own.
    expect(await call('sample-local-counterBig')).toMatchObject({ count: 1, onlyIn: 'big' });
    expect(workers()).toBe(2);
    expect(groupOf('sample-local-counterBig')?.memorySize).toBe(1024);
  });

  it('fails only the invocation in flight when a shared worker times out; the others start again', async () => {
    const started = Date.now();
    const hang: InvocationResult = await host.invoke('sample-local-hang', {});
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(hang).toEqual({
      ok: false,
      error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 1.00 seconds' },
    });
    // The worker that also held counterOne, counterTwo and (it had moved between the groups)
    // counterOtherEnv is gone: they start cold, with fresh state.
    const one = await call('sample-local-counterOne');
    const two = await call('sample-local-counterTwo');
    expect(one).toMatchObject({ count: 1, functionName: 'sample-local-counterOne', marker: null });
    expect(two).toMatchObject({ count: 1, functionName: 'sample-local-counterTwo' });
    expect(await call('sample-local-counterOtherEnv')).toMatchObject({ count: 1, onlyIn: 'other' });
  });

  it("maps a handler's stack trace to its TypeScript source", async () => {
    const result = (await host.invoke('sample-local-boom', {})) as {
      ok: false;
      error: { errorType: string; stackTrace?: string[] };
    };
    expect(result.ok).toBe(false);
    expect(result.error.errorType).toBe('TypeError');
    expect(result.error.stackTrace?.[0]).toMatch(/src\/handlers\/boom\.ts:\d+:\d+/);
  });

  it('runs concurrent invocations of a group on up to maxConcurrency workers', async () => {
    const names = [
      'sample-local-counterOne',
      'sample-local-counterTwo',
      'sample-local-counterSameFile',
      'sample-local-hello',
      'sample-local-counterOne',
      'sample-local-counterTwo',
    ];
    const results = await Promise.all(
      names.map((name) => host.invoke(name, { pathParameters: { name: 'x' } })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    const group = groupOf('sample-local-hello');
    expect(group?.workers).toBeGreaterThanOrEqual(1);
    expect(group?.workers).toBeLessThanOrEqual(4);
    expect(group?.busy).toBe(0);
  });

  it('is quiet only once no invocation has run for the quiet span', async () => {
    const events: string[] = [];
    const invocation = host.invoke('sample-local-counterTwo', { waitMs: 400 }).then((result) => {
      events.push('invocation ended');
      return result;
    });
    // Too short a wait while the invocation runs: not quiet.
    expect(await host.untilQuiet({ quietMs: 100, timeoutMs: 150 })).toBe(false);
    const quiet = await host.untilQuiet({ quietMs: 100, timeoutMs: 10_000 });
    events.push('quiet');
    expect(quiet).toBe(true);
    expect((await invocation).ok).toBe(true);
    expect(events).toEqual(['invocation ended', 'quiet']);
  });

  it("stops a burst's extra workers once idle, keeping the group's last one warm", async () => {
    // Handlers that wait force the group onto several workers at once.
    const results = await Promise.all(
      Array.from({ length: 4 }, () => host.invoke('sample-local-counterOne', { waitMs: 300 })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(groupOf('sample-local-counterOne')?.workers).toBeGreaterThan(1);
    const started = Date.now();
    while (Date.now() - started < 15_000 && (groupOf('sample-local-counterOne')?.workers ?? 0) > 1)
      await new Promise((resolve) => setTimeout(resolve, 200));
    expect(groupOf('sample-local-counterOne')?.workers).toBe(1);
    // The worker kept is warm: its module state holds the burst's invocation.
    const warm = await call('sample-local-counterOne');
    expect(warm.count).toBeGreaterThan(1);
    expect(groupOf('sample-local-counterOne')?.workers).toBe(1);
  });

  it("retires groups' last workers beyond the pool's warm allowance, least recently used first", async () => {
    const small = new FunctionHost({
      services: [{ ...service, template }],
      registry: new MapRegistry('sample', fixtureResources()),
      log: () => {},
      busyWorkersBeforeWaiting: 10,
      surplusIdleTimeoutMs: 300,
      maxWarmWorkers: 1,
    });
    const workers = () => small.groupStats().filter((group) => group.workers > 0);
    try {
      // Two groups at once: a worker each.
      const both = await Promise.all([
        small.invoke('sample-local-counterOne', { waitMs: 200 }),
        small.invoke('sample-local-counterOtherEnv', { waitMs: 400 }),
      ]);
      expect(both.map((result) => result.ok)).toEqual([true, true]);
      expect(workers()).toHaveLength(2);
      const started = Date.now();
      while (Date.now() - started < 10_000 && workers().length > 1)
        await new Promise((resolve) => setTimeout(resolve, 100));
      // The group used last keeps its worker; the other's went, though it was that group's last.
      expect(workers().map((group) => group.functions)).toEqual([
        expect.arrayContaining(['sample-local-counterOtherEnv']),
      ]);
      const again = await small.invoke('sample-local-counterOne', {});
      expect(again.ok).toBe(true);
    } finally {
      await small.stop();
    }
  });

  it('waits for a busy worker rather than starting one per group, but not past its patience', async () => {
    // The process's CPU clock, as the pool reads it: idle unless a test says the cores are taken
    // (null: the pool's own clock).
    const freshHost = (
      processCpuMs: (() => number) | null = () => 0,
      saturatedPatienceMs = 5_000,
      workersBeforeWaiting?: number,
      startingUp = false,
    ) =>
      new FunctionHost({
        startingUp,
        services: [{ ...service, template }],
        registry: new MapRegistry('sample', fixtureResources()),
        log: () => {},
        busyWorkersBeforeWaiting: 1,
        startPatienceMs: 400,
        saturatedPatienceMs,
        ...(processCpuMs ? { processCpuMs } : {}),
        ...(workersBeforeWaiting === undefined ? {} : { workersBeforeWaiting }),
      });
    const workersOf = (h: FunctionHost) => h.groupStats().reduce((sum, group) => sum + group.workers, 0);
    const allCoresBusy = () => performance.now() * availableParallelism();
    /**
     * A `slowMs` invocation holds the one worker, then `next` asks for one: which ended first, and
     * how many workers the host then has.
     */
    const race = async (
      h: FunctionHost,
      slowMs: number,
      next = 'sample-local-counterOtherEnv',
    ): Promise<{ ended: string[]; workers: number }> => {
      try {
        const ended: string[] = [];
        const slow = h.invoke('sample-local-counterTwo', { waitMs: slowMs }).then((result) => {
          ended.push('slow');
          return result;
        });
        while (workersOf(h) === 0) await new Promise((resolve) => setTimeout(resolve, 10));
        const other = h.invoke(next, {}).then((result) => {
          ended.push('next');
          return result;
        });
        expect([(await slow).ok, (await other).ok]).toEqual([true, true]);
        return { ended, workers: workersOf(h) };
      } finally {
        await h.stop();
      }
    };

    // Two groups at once, one busy worker enough to wait: the second waits for it and runs there.
    const first = freshHost();
    try {
      const burst = await Promise.all([
        first.invoke('sample-local-counterOne', {}),
        first.invoke('sample-local-counterOtherEnv', {}),
      ]);
      expect(burst.map((result) => result.ok)).toEqual([true, true]);
      expect(workersOf(first)).toBe(1);
    } finally {
      await first.stop();
    }

    // The busy worker's invocation runs long: the other group waits out its patience only.
    expect(await race(freshHost(), 2_500)).toEqual({ ended: ['next', 'slow'], workers: 2 });
    // While the process keeps every core busy, it waits on past its patience for the busy worker...
    expect(await race(freshHost(allCoresBusy), 1_200)).toEqual({ ended: ['slow', 'next'], workers: 1 });
    // ...but not past the longer patience either.
    expect(await race(freshHost(allCoresBusy, 800), 2_500)).toEqual({ ended: ['next', 'slow'], workers: 2 });
    // A group that has a worker adds one at once, unless the pool already holds workersBeforeWaiting.
    const sameGroup = 'sample-local-counterTwo';
    expect(await race(freshHost(allCoresBusy), 1_200, sameGroup)).toEqual({
      ended: ['next', 'slow'],
      workers: 2,
    });
    expect(await race(freshHost(allCoresBusy, 5_000, 1), 1_200, sameGroup)).toEqual({
      ended: ['slow', 'next'],
      workers: 1,
    });
    // While the cloud starts, a group that has a worker waits for it as a first invocation would...
    expect(await race(freshHost(allCoresBusy, 5_000, undefined, true), 1_200, sameGroup)).toEqual({
      ended: ['slow', 'next'],
      workers: 1,
    });
    // ...and once started, adds one at once again.
    const startedHost = freshHost(allCoresBusy, 5_000, undefined, true);
    startedHost.started();
    expect(await race(startedHost, 1_200, sameGroup)).toEqual({ ended: ['next', 'slow'], workers: 2 });

    // The pool's own clock, once the cloud has started: child processes that keep every core busy
    // (as the JVM does under traffic) do not hold a group's first invocation; the cloud's own
    // threads are idle. (While it starts, the clock counts them: see the process-cpu test.)
    const spinners = Array.from({ length: availableParallelism() }, () =>
      spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }),
    );
    try {
      const ready = freshHost(null, 5_000, undefined, true);
      ready.started();
      expect(await race(ready, 2_500)).toEqual({ ended: ['next', 'slow'], workers: 2 });
    } finally {
      for (const spinner of spinners) spinner.kill('SIGKILL');
    }
  });
});
