import type { EventReceived } from '@switchyard/contracts';
import { meterUsage, usageUnit } from '../../../src/app/meter-usage';
import type { MeterDeps } from '../../../src/app/meter-usage';
import type { TenantBilling } from '../../../src/domain/billing';
import { catalogue, FakeBillingStore, FakeUsageStore } from '../fakes';

const TENANT = 'ten_01J9Z3VZ4Y0D8E6F2G1H3J5K7M';

function received(n: number, tenantId = TENANT, receivedAt = '2026-03-20T10:00:00.000Z'): EventReceived {
  return {
    version: 1,
    id: `msg-${tenantId}-${n}`,
    time: new Date(Date.parse(receivedAt) + n * 10).toISOString(),
    tenantId,
    correlationId: `corr-${n}`,
    eventId: `evt_${n}`,
    eventType: 'order.placed',
    source: 'shop',
    receivedAt,
    payload: {},
  };
}

function setup(tenant?: TenantBilling) {
  const billing = new FakeBillingStore();
  if (tenant) billing.tenants.set(tenant.tenantId, tenant);
  const usage = new FakeUsageStore();
  const deps: MeterDeps = { usage, billing, catalogue, now: () => new Date('2026-03-20T10:00:05.000Z') };
  const meter = (messages: EventReceived[]) => meterUsage(messages.map(usageUnit), deps);
  return { usage, meter };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('meterUsage', () => {
  it('counts a batch with one dedup write and one counter write, in the calendar month on the free plan', async () => {
    const { usage, meter } = setup();
    const result = await meter(range(0, 100).map((n) => received(n)));
    expect(result).toMatchObject({ counted: 100, duplicates: 0, writes: 2, failed: [] });
    expect(usage.counters.get(`${TENANT}|2026-03-01T00:00:00.000Z`)?.used).toEqual({
      events: 100,
      agent_queries: 0,
    });
  });

  it('counts a redelivered or replayed message once, whatever batch it comes back in', async () => {
    const { usage, meter } = setup();
    await meter(range(0, 50).map((n) => received(n)));
    const again = await meter([...range(25, 75).map((n) => received(n)), received(80), received(80)]);
    expect(again).toMatchObject({ counted: 26, duplicates: 26 });
    expect((await meter([...range(0, 75), 80].map((n) => received(n)))).counted).toBe(0);
    expect(usage.counters.get(`${TENANT}|2026-03-01T00:00:00.000Z`)?.used.events).toBe(76);
  });

  it("counts in the subscription's billing period, not the calendar month", async () => {
    const { usage, meter } = setup({
      tenantId: TENANT,
      subscriptionId: 'sub_1',
      revision: 1,
      previousPeriodStart: '2026-02-14T09:00:00.000Z',
      state: {
        status: 'active',
        plan: 'pro',
        quotas: catalogue.byLookupKey.pro_monthly!.limits,
        currentPeriodStart: '2026-03-14T09:00:00.000Z',
        currentPeriodEnd: '2026-04-14T09:00:00.000Z',
        entitled: true,
      },
    });
    await meter([received(1), received(2, TENANT, '2026-03-14T08:59:59.000Z')]);
    expect(usage.counters.get(`${TENANT}|2026-03-14T09:00:00.000Z`)?.used.events).toBe(1);
    expect(usage.counters.get(`${TENANT}|2026-02-14T09:00:00.000Z`)?.used.events).toBe(1);
  });

  it('announces 80 % and 100 % of a limit once per period, however the usage arrives', async () => {
    const { usage, meter } = setup();
    await meter(range(0, 7_999).map((n) => received(n)));
    expect(usage.announced).toEqual([]);
    await meter(range(7_999, 8_001).map((n) => received(n)));
    await meter(range(7_999, 8_001).map((n) => received(n)));
    expect(usage.announced).toEqual([
      expect.objectContaining({
        metric: 'events',
        thresholdPercent: 80,
        used: 8_001,
        limit: 10_000,
        plan: 'free',
      }),
    ]);
    await meter(range(8_001, 10_500).map((n) => received(n)));
    expect(usage.announced.map((a) => a.thresholdPercent)).toEqual([80, 100]);
  });

  it('keeps tenants apart: a tenant whose write keeps failing fails only its own messages', async () => {
    const { usage, meter } = setup();
    const other = 'ten_01J9Z3VZ4Y0D8E6F2G1H3J5K7N';
    const commit = usage.commit.bind(usage);
    usage.commit = async (write) => {
      if (write.tenantId === other) throw new Error('throttled');
      return commit(write);
    };
    const result = await meter([received(1), received(2, other)]);
    expect(result.counted).toBe(1);
    expect(result.failed.map((f) => f.messageId)).toEqual([`msg-${other}-2`]);
  });

  it('a batch that loses a race to another reads again and counts only what the other did not', async () => {
    const { usage, meter } = setup();
    usage.beforeCommit = async () => {
      await meter(range(0, 10).map((n) => received(n)));
    };
    const result = await meter(range(5, 20).map((n) => received(n)));
    expect(result.counted).toBe(10);
    expect(usage.counters.get(`${TENANT}|2026-03-01T00:00:00.000Z`)?.used.events).toBe(20);
  });
});
