import { SubscriptionChanged } from '@switchyard/contracts';
import {
  DEFAULT_ENTITLEMENT,
  applySubscriptionChanged,
  decide,
  entitlementFor,
  usagePeriod,
} from '../../../src/domain/entitlements';
import type { Entitlement } from '../../../src/domain/entitlements';
import { NOW, OTHER_TENANT, TENANT, header } from './fixtures';

function changed(
  changedAt: string,
  state: { status: string; plan: string; eventsPerMonth: number; requestsPerSecond: number },
  id = `msg-${changedAt}`,
): SubscriptionChanged {
  return SubscriptionChanged.schema.parse({
    ...header(id, changedAt),
    subscriptionId: 'sub_123',
    new: {
      status: state.status,
      plan: state.plan,
      quotas: { eventsPerMonth: state.eventsPerMonth, requestsPerSecond: state.requestsPerSecond },
      currentPeriodEnd: '2025-07-01T00:00:00.000Z',
    },
    changedAt,
  });
}

const PRO = { status: 'active', plan: 'pro', eventsPerMonth: 5_000_000, requestsPerSecond: 200 };
const LAPSED = { status: 'past_due', plan: 'pro', eventsPerMonth: 5_000_000, requestsPerSecond: 200 };

describe('entitlementFor (documented default)', () => {
  it('gives a tenant billing never mentioned an active free plan: 10 req/s, 100k events/month', () => {
    expect(entitlementFor(TENANT, undefined)).toEqual({
      tenantId: TENANT,
      status: 'active',
      plan: 'free',
      quotas: { eventsPerMonth: 100_000, requestsPerSecond: 10 },
      origin: 'default',
      revision: 0,
    });
    expect(DEFAULT_ENTITLEMENT.quotas).toEqual({ eventsPerMonth: 100_000, requestsPerSecond: 10 });
  });

  it('uses the projected record when there is one', () => {
    const record = applySubscriptionChanged(undefined, changed('2025-06-01T10:00:00.000Z', PRO)).record;
    expect(entitlementFor(TENANT, record).plan).toBe('pro');
  });
});

describe('applySubscriptionChanged', () => {
  it('replaces the state with a newer event and ignores an older or repeated one', () => {
    const first = applySubscriptionChanged(undefined, changed('2025-06-01T10:00:00.000Z', PRO));
    expect(first).toMatchObject({
      outcome: 'applied',
      record: { plan: 'pro', origin: 'billing', revision: 1 },
    });
    const lapsed = applySubscriptionChanged(first.record, changed('2025-06-01T11:00:00.000Z', LAPSED));
    expect(lapsed).toMatchObject({ outcome: 'applied', record: { status: 'past_due', revision: 2 } });
    const late = applySubscriptionChanged(lapsed.record, changed('2025-06-01T10:30:00.000Z', PRO));
    expect(late).toMatchObject({ outcome: 'ignored', reason: 'stale', record: { status: 'past_due' } });
    const again = applySubscriptionChanged(lapsed.record, changed('2025-06-01T11:00:00.000Z', LAPSED));
    expect(again).toMatchObject({ outcome: 'ignored', reason: 'redelivered' });
  });

  it('breaks a tie of equal times by message id, so every order converges', () => {
    const a = changed('2025-06-01T10:00:00.000Z', PRO, 'msg-a');
    const b = changed('2025-06-01T10:00:00.000Z', LAPSED, 'msg-b');
    const ab = applySubscriptionChanged(applySubscriptionChanged(undefined, a).record, b).record;
    const ba = applySubscriptionChanged(applySubscriptionChanged(undefined, b).record, a).record;
    expect(ab.status).toBe(ba.status);
  });

  it('refuses an event for another tenant than the stored record', () => {
    const record = applySubscriptionChanged(undefined, changed('2025-06-01T10:00:00.000Z', PRO)).record;
    const foreign = { ...changed('2025-06-01T12:00:00.000Z', PRO), tenantId: OTHER_TENANT };
    expect(() => applySubscriptionChanged(record, foreign)).toThrow(/ten_other/);
  });
});

describe('decide', () => {
  const free = entitlementFor(TENANT, undefined);
  const withStatus = (status: Entitlement['status']): Entitlement => ({ ...free, status });

  it('allows an active or trialing tenant with quota left', () => {
    expect(decide(free, { eventsThisPeriod: 0, requested: 1 }, NOW)).toEqual({
      outcome: 'allowed',
      allowedEvents: 1,
    });
    expect(decide(withStatus('trialing'), { eventsThisPeriod: 99_999, requested: 1 }, NOW).outcome).toBe(
      'allowed',
    );
  });

  it.each(['past_due', 'canceled', 'unpaid', 'incomplete'] as const)(
    'answers 402 to a %s subscription',
    (status) => {
      expect(decide(withStatus(status), { eventsThisPeriod: 0, requested: 1 }, NOW)).toMatchObject({
        outcome: 'payment_required',
        status: 402,
        code: 'payment_required',
      });
    },
  );

  it('answers 429 quota_exhausted with the reset at the start of next month', () => {
    const decision = decide(free, { eventsThisPeriod: 100_000, requested: 1 }, NOW);
    expect(decision).toMatchObject({
      outcome: 'quota_exhausted',
      status: 429,
      code: 'quota_exhausted',
      resetAt: '2025-07-01T00:00:00.000Z',
      retryAfterSeconds: (Date.parse('2025-07-01T00:00:00.000Z') - NOW.getTime()) / 1000,
    });
  });

  it('lets a batch keep the items that fit in what is left', () => {
    expect(decide(free, { eventsThisPeriod: 99_990, requested: 100 }, NOW)).toEqual({
      outcome: 'allowed',
      allowedEvents: 10,
    });
  });

  it("follows billing's entitled when the projection has it: a past_due tenant in its grace is allowed", () => {
    expect(
      decide({ ...withStatus('past_due'), entitled: true }, { eventsThisPeriod: 0, requested: 1 }, NOW)
        .outcome,
    ).toBe('allowed');
    expect(
      decide({ ...withStatus('active'), entitled: false }, { eventsThisPeriod: 0, requested: 1 }, NOW),
    ).toMatchObject({
      outcome: 'payment_required',
      status: 402,
    });
  });

  it('projects entitled from SubscriptionChanged, and leaves it out when billing does not say', () => {
    const withEntitled = SubscriptionChanged.schema.parse({
      ...changed('2025-06-10T00:00:00.000Z', LAPSED),
      new: { ...changed('2025-06-10T00:00:00.000Z', LAPSED).new, entitled: true },
    });
    const applied = applySubscriptionChanged(undefined, withEntitled);
    expect(applied.record.entitled).toBe(true);
    expect(decide(applied.record, { eventsThisPeriod: 0, requested: 1 }, NOW).outcome).toBe('allowed');
    const without = applySubscriptionChanged(undefined, changed('2025-06-10T00:00:00.000Z', LAPSED));
    expect(without.record).not.toHaveProperty('entitled');
    expect(decide(without.record, { eventsThisPeriod: 0, requested: 1 }, NOW).outcome).toBe(
      'payment_required',
    );
  });

  it('checks the status before the quota', () => {
    expect(decide(withStatus('canceled'), { eventsThisPeriod: 1e9, requested: 1 }, NOW).outcome).toBe(
      'payment_required',
    );
  });
});

describe('usagePeriod', () => {
  it('is the calendar month in UTC, across a year end', () => {
    expect(usagePeriod(new Date('2025-12-31T23:59:59.999Z'))).toEqual({
      id: '2025-12',
      start: new Date('2025-12-01T00:00:00.000Z'),
      end: new Date('2026-01-01T00:00:00.000Z'),
    });
    expect(usagePeriod(new Date('2026-01-01T00:00:00.000Z')).id).toBe('2026-01');
  });
});
