import { entitlementFor } from '../../../src/domain/entitlements';
import {
  blockSize,
  decideRateLimit,
  MAX_BLOCK,
  planRateLimit,
  RateLimitStock,
  STOCK_TTL_MS,
  policyFor,
  RATE_LIMIT_ATTEMPTS,
  rateItemKey,
  rateLimitPolicy,
} from '../../../src/domain/rate-limit';
import type {
  RateLimitDecision,
  RateLimitPolicy,
  RateLimitUpdate,
  RateState,
} from '../../../src/domain/rate-limit';
import { TENANT } from './fixtures';

const T0 = Date.parse('2025-06-01T12:00:00.250Z');

/**
 * A faithful model of the table every instance shares: a write's condition is evaluated against the
 * stored item and its SET applied atomically, as DynamoDB does. It reads the update's two forms by
 * their placeholders (busy: `:tInterval`/`:tMax`; idle: `:tNext`), which the first test pins.
 */
function sharedTable() {
  const items = new Map<string, Record<string, number>>();
  let writes = 0;
  async function write(update: RateLimitUpdate) {
    writes++;
    const item = items.get(update.Key.pk) ?? {};
    const values = update.ExpressionAttributeValues;
    const now = values[':now']!;
    const next = { ...item };
    let holds = true;
    for (const [p, attribute] of [
      ['t', update.tenantAttribute],
      ['k', update.keyAttribute],
    ] as const) {
      const tat = item[attribute];
      if (values[`:${p}Interval`] !== undefined) {
        holds &&= tat !== undefined && tat >= now && tat <= values[`:${p}Max`]!;
        next[attribute] = (tat ?? 0) + values[`:${p}Interval`]!;
      } else {
        holds &&= tat === undefined || tat < now;
        next[attribute] = values[`:${p}Next`]!;
      }
    }
    if (holds) {
      items.set(update.Key.pk, next);
      return { applied: true as const };
    }
    const stored: RateState = {};
    if (item[update.tenantAttribute] !== undefined) stored.tenantTat = item[update.tenantAttribute]!;
    if (item[update.keyAttribute] !== undefined) stored.keyTat = item[update.keyAttribute]!;
    return { applied: false as const, stored };
  }
  return { write, writes: () => writes };
}

/** One Lambda instance: its own memory of the last state it saw, the shared table behind it. */
function instance(table: ReturnType<typeof sharedTable>) {
  const believed = new Map<string, RateState>();
  return async (policy: RateLimitPolicy, keyId: string, at: number): Promise<RateLimitDecision> => {
    const now = new Date(at);
    const cacheKey = `${rateItemKey(TENANT, now).pk}/${keyId}`;
    return decideRateLimit(
      { policy, tenantId: TENANT, keyId, now, believed: believed.get(cacheKey) ?? {} },
      { write: table.write, remember: (state) => believed.set(cacheKey, state) },
    );
  };
}

describe('rateLimitPolicy', () => {
  it('gives each key half the tenant rate and a burst of half of each limit (at least 1)', () => {
    expect(rateLimitPolicy(10)).toEqual({
      windowSeconds: 1,
      tenantLimit: 10,
      keyLimit: 5,
      tenantBurst: 5,
      keyBurst: 3,
    });
    expect(rateLimitPolicy(500)).toMatchObject({
      tenantLimit: 500,
      keyLimit: 250,
      tenantBurst: 250,
      keyBurst: 125,
    });
    expect(policyFor(entitlementFor(TENANT, undefined))).toMatchObject({ tenantLimit: 10, keyLimit: 5 });
  });

  it('stretches the window for rates below one per second instead of blocking everything', () => {
    expect(rateLimitPolicy(0.2)).toMatchObject({
      windowSeconds: 5,
      tenantLimit: 1,
      keyLimit: 1,
      tenantBurst: 1,
    });
    expect(rateLimitPolicy(2.5)).toMatchObject({ windowSeconds: 1, tenantLimit: 2, keyLimit: 1 });
  });

  it('refuses a rate that is not a positive number', () => {
    expect(() => rateLimitPolicy(0)).toThrow(RangeError);
    expect(() => rateLimitPolicy(Number.NaN)).toThrow(RangeError);
  });
});

describe('planRateLimit', () => {
  const policy = rateLimitPolicy(10);

  it('writes the idle form when no tat is ahead of now, and the busy form when one is', () => {
    const idle = planRateLimit(policy, TENANT, 'key1', new Date(T0), {});
    expect(idle.kind).toBe('write');
    if (idle.kind !== 'write') return;
    expect(idle.update.Key).toEqual({ pk: rateItemKey(TENANT, new Date(T0)).pk });
    expect(idle.update.UpdateExpression).toBe('SET #t = :tNext, #k = :kNext, #expiresAt = :expiresAt');
    expect(idle.update.ConditionExpression).toBe(
      '(attribute_not_exists(#t) OR #t < :now) AND (attribute_not_exists(#k) OR #k < :now)',
    );
    expect(idle.update.ExpressionAttributeNames).toEqual({
      '#t': 'tat',
      '#k': 'k#key1',
      '#expiresAt': 'expiresAt',
    });
    expect(idle.next).toEqual({ tenantTat: T0 + 100, keyTat: T0 + 200 });

    const busy = planRateLimit(policy, TENANT, 'key1', new Date(T0), { tenantTat: T0 + 50 });
    if (busy.kind !== 'write') throw new Error('expected a write');
    expect(busy.update.UpdateExpression).toBe(
      'SET #t = #t + :tInterval, #k = :kNext, #expiresAt = :expiresAt',
    );
    expect(busy.update.ConditionExpression).toBe(
      '(#t BETWEEN :now AND :tMax) AND (attribute_not_exists(#k) OR #k < :now)',
    );
    expect(busy.update.ExpressionAttributeValues).toMatchObject({
      ':now': T0,
      ':tInterval': 100,
      ':tMax': T0 + 400,
    });
    // Every placeholder used is defined, and every defined one is used.
    for (const plan of [idle, busy]) {
      const used = `${plan.update.UpdateExpression} ${plan.update.ConditionExpression}`;
      for (const name of Object.keys(plan.update.ExpressionAttributeNames)) expect(used).toContain(name);
      for (const value of Object.keys(plan.update.ExpressionAttributeValues)) expect(used).toContain(value);
    }
  });

  it('refuses without a write when the known state already refuses, with Retry-After and RateLimit-*', () => {
    const plan = planRateLimit(policy, TENANT, 'key1', new Date(T0), { keyTat: T0 + 1_500 });
    expect(plan).toEqual({
      kind: 'refuse',
      decision: {
        allowed: false,
        limitedBy: 'key',
        retryAfterSeconds: 2,
        headers: {
          'RateLimit-Limit': '5',
          'RateLimit-Remaining': '0',
          'RateLimit-Reset': '2',
          'Retry-After': '2',
        },
      },
    });
    const both = planRateLimit(policy, TENANT, 'key1', new Date(T0), {
      tenantTat: T0 + 500,
      keyTat: T0 + 900,
    });
    expect(both.kind === 'refuse' && both.decision.limitedBy).toBe('tenant');
  });

  it('keys the item by tenant and hour, and lets it expire a minute after its hour', () => {
    const at = new Date('2025-06-01T12:59:59.999Z');
    expect(rateItemKey(TENANT, at).pk).not.toBe(rateItemKey(TENANT, new Date('2025-06-01T13:00:00.000Z')).pk);
    const plan = planRateLimit(policy, TENANT, 'k', at, {});
    if (plan.kind !== 'write') throw new Error('expected a write');
    expect(plan.update.ExpressionAttributeValues[':expiresAt']).toBe(
      Date.parse('2025-06-01T13:01:00Z') / 1000,
    );
  });
});

describe('decideRateLimit against a shared table', () => {
  const policy = rateLimitPolicy(10);

  it('admits a burst, then one request per interval; headers report the stricter subject', async () => {
    const call = instance(sharedTable());
    const first = await call(policy, 'key1', T0);
    // The key (5/s, burst 3: 2 more now) is stricter than the tenant (10/s, burst 5: 4 more now).
    expect(first).toEqual({
      allowed: true,
      cells: 1,
      headers: { 'RateLimit-Limit': '5', 'RateLimit-Remaining': '2', 'RateLimit-Reset': '1' },
    });
    expect((await call(policy, 'key1', T0 + 10)).allowed).toBe(true);
    expect((await call(policy, 'key1', T0 + 20)).allowed).toBe(true);
    const refused = await call(policy, 'key1', T0 + 30);
    expect(refused).toMatchObject({ allowed: false, limitedBy: 'key', retryAfterSeconds: 1 });
    expect((await call(policy, 'key1', T0 + 200)).allowed).toBe(true);
    // The tenant has had 4 of its burst of 5: other keys get 3 more at once, then the tenant refuses.
    const others = [];
    for (const keyId of ['key2', 'key3', 'key4', 'key5']) others.push(await call(policy, keyId, T0 + 200));
    expect(others.map((answer) => answer.allowed)).toEqual([true, true, true, false]);
    expect(others[3]).toMatchObject({ limitedBy: 'tenant', headers: { 'RateLimit-Limit': '10' } });
  });

  it('costs one write per admitted request while an instance guesses right, none per refusal it can tell', async () => {
    const table = sharedTable();
    const call = instance(table);
    let admitted = 0;
    for (let ms = 0; ms < 10_000; ms += 50) if ((await call(policy, 'key1', T0 + ms)).allowed) admitted++;
    expect(admitted).toBe(3 + 49); // the burst at once, then one per 200 ms
    expect(table.writes()).toBe(admitted);
  });

  it('a stale guess costs one more write and still decides right', async () => {
    const table = sharedTable();
    const [a, b] = [instance(table), instance(table)];
    expect((await a(policy, 'key1', T0)).allowed).toBe(true);
    // b has never seen the tenant: it guesses "idle", the write fails, b learns the state and writes again.
    const writesBefore = table.writes();
    expect((await b(policy, 'key1', T0 + 100)).allowed).toBe(true);
    expect(table.writes() - writesBefore).toBe(2);
    // Now b knows: its next request costs one write.
    expect((await b(policy, 'key1', T0 + 110)).allowed).toBe(true);
    expect(table.writes() - writesBefore).toBe(3);
    expect(RATE_LIMIT_ATTEMPTS).toBeGreaterThanOrEqual(2);
  });

  it.each([
    [10, 1],
    [10, 3],
    [100, 4],
    [1, 2],
    [37, 3],
  ])(
    'over every 1 s span, sweeping its start, admits at most limit + burst - 1 (rate %d/s, %d instances)',
    async (rate, instances) => {
      const table = sharedTable();
      const callers = Array.from({ length: instances }, () => instance(table));
      const p = rateLimitPolicy(rate, 1); // one key may use the whole tenant rate
      const admittedAt: number[] = [];
      // Greedy clients: every instance calls every 7 ms for 5 s, start times offset across the second.
      let i = 0;
      for (let ms = 0; ms < 5_000; ms += 7) {
        const caller = callers[i++ % instances]!;
        if ((await caller(p, 'greedy', T0 + ms)).allowed) admittedAt.push(T0 + ms);
      }
      const bound = p.tenantLimit + p.tenantBurst - 1;
      let worst = 0;
      for (let start = T0; start < T0 + 4_000; start += 1) {
        const inSpan = admittedAt.filter((t) => t >= start && t < start + 1_000).length;
        worst = Math.max(worst, inSpan);
      }
      expect(worst).toBeLessThanOrEqual(bound);
      // And the limiter is not stingy: a greedy client gets the rate over the run.
      expect(admittedAt.length).toBeGreaterThanOrEqual(Math.floor(rate * 4.9));
    },
  );

  it('a fixed-window limiter would have let 2x through around a boundary; this one does not', async () => {
    const call = instance(sharedTable());
    const p = rateLimitPolicy(10, 1);
    const admitted: number[] = [];
    // 10 at the end of one second, 10 at the start of the next: fixed windows admit all 20.
    for (const ms of [...Array(10).keys()]
      .map((k) => 900 + k * 9)
      .concat([...Array(10).keys()].map((k) => 1_000 + k * 9))) {
      if ((await call(p, 'k', T0 - 250 + ms)).allowed) admitted.push(ms);
    }
    expect(admitted.length).toBeLessThanOrEqual(p.tenantLimit + p.tenantBurst - 1);
  });
});

/** One instance that claims blocks ahead and spends them, as the ingest adapter does. */
function blockingInstance(table: ReturnType<typeof sharedTable>) {
  const believed = new Map<string, RateState>();
  const stock = new RateLimitStock();
  return async (policy: RateLimitPolicy, keyId: string, at: number): Promise<RateLimitDecision> => {
    const perSecond = stock.arrive(at);
    const spent = stock.spend(at);
    if (spent) return spent;
    const now = new Date(at);
    const cacheKey = `${rateItemKey(TENANT, now).pk}/${keyId}`;
    const decision = await decideRateLimit(
      {
        policy,
        tenantId: TENANT,
        keyId,
        now,
        believed: believed.get(cacheKey) ?? {},
        cells: blockSize(perSecond, policy),
      },
      { write: table.write, remember: (state) => believed.set(cacheKey, state) },
    );
    stock.keep(decision, at);
    return decision;
  };
}

describe('blocks claimed ahead (one write for many requests of a busy instance)', () => {
  it('claims `cells` in one write: tat moves by cells × interval, and only if the last cell conforms', () => {
    const policy = rateLimitPolicy(100, 1); // 10 ms interval, burst 50
    const plan = planRateLimit(policy, TENANT, 'k', new Date(T0), {}, 20);
    expect(plan.kind).toBe('write');
    if (plan.kind !== 'write') return;
    expect(plan.next.tenantTat).toBe(T0 + 200);
    expect(plan.decision.cells).toBe(20);
    // 45 of the 50 burst cells used: a block of 10 does not fit, a single request does.
    const busy = { tenantTat: T0 + 450, keyTat: T0 + 450 };
    expect(planRateLimit(policy, TENANT, 'k', new Date(T0), busy, 10).kind).toBe('refuse');
    expect(planRateLimit(policy, TENANT, 'k', new Date(T0), busy, 1).kind).toBe('write');
  });

  it('falls back to one request when the block does not fit', async () => {
    const table = sharedTable();
    const policy = rateLimitPolicy(100, 1);
    const decision = await decideRateLimit(
      { policy, tenantId: TENANT, keyId: 'k', now: new Date(T0), believed: {}, cells: 60 },
      { write: table.write, remember: () => undefined },
    );
    expect(decision).toMatchObject({ allowed: true, cells: 1 });
  });

  it('sizes a block by what the instance spends in the stock lifetime, within the burst and MAX_BLOCK', () => {
    const policy = rateLimitPolicy(100_000, 1);
    expect(blockSize(1000 / STOCK_TTL_MS, policy)).toBe(1);
    expect(blockSize(200, policy)).toBe(Math.ceil((200 * STOCK_TTL_MS) / 1000));
    expect(blockSize(201, policy)).toBe(Math.ceil((201 * STOCK_TTL_MS) / 1000));
    expect(blockSize(1e6, policy)).toBe(MAX_BLOCK);
    expect(blockSize(1e6, rateLimitPolicy(10, 1))).toBe(rateLimitPolicy(10, 1).tenantBurst);
  });

  it.each([
    [10, 1, 7],
    [100, 2, 1],
    [1_000, 2, 0.25],
    [1_000, 4, 0.5],
  ])(
    'rate %d/s, %d instances, a request every %d ms: every 1 s span within limit + burst - 1 + limit × ttl',
    async (rate, instances, everyMs) => {
      const table = sharedTable();
      const callers = Array.from({ length: instances }, () => blockingInstance(table));
      const p = rateLimitPolicy(rate, 1);
      const admittedAt: number[] = [];
      let i = 0;
      for (let ms = 0; ms < 5_000; ms += everyMs) {
        const caller = callers[i++ % instances]!;
        if ((await caller(p, 'greedy', T0 + ms)).allowed) admittedAt.push(T0 + ms);
      }
      const bound = p.tenantLimit + p.tenantBurst - 1 + Math.ceil((p.tenantLimit * STOCK_TTL_MS) / 1000);
      let worst = 0;
      let first = 0;
      for (let start = T0; start < T0 + 4_000; start += 1) {
        while (admittedAt[first]! < start) first++;
        let last = first;
        while (last < admittedAt.length && admittedAt[last]! < start + 1_000) last++;
        worst = Math.max(worst, last - first);
      }
      expect(worst).toBeLessThanOrEqual(bound);
      expect(admittedAt.length).toBeGreaterThanOrEqual(Math.floor(rate * 4.5));
    },
  );

  it.each([
    [1_000, 1, 1.25],
    [1_000, 2, 1.25],
    [10_000, 4, 0.2],
  ])(
    'under sustained load below the limit (%d/s, %d instances, a request every %d ms) writes ≤ 0.1 per request and refuses none',
    async (rate, instances, everyMs) => {
      const table = sharedTable();
      const callers = Array.from({ length: instances }, () => blockingInstance(table));
      const p = rateLimitPolicy(rate, 1);
      let requests = 0;
      let refused = 0;
      let i = 0;
      for (let ms = 0; ms < 5_000; ms += everyMs) {
        requests++;
        if (!(await callers[i++ % instances]!(p, 'steady', T0 + ms)).allowed) refused++;
      }
      expect(refused).toBe(0);
      expect(table.writes() / requests).toBeLessThanOrEqual(0.1);
    },
  );
});
