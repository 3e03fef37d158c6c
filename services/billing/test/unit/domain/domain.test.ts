import { stripeEvent } from '@switchyard/cli/src/stripe/events';
import { compareStamps, endGrace, publishChange } from '../../../src/domain/billing';
import { planForPrice, slugOf } from '../../../src/domain/plans';
import { parseStripeEvent } from '../../../src/domain/stripe-events';
import { calendarMonth, crossings, currentPeriod, dedupBucket } from '../../../src/domain/usage';
import { catalogue } from '../fakes';

describe('Stripe events of the API versions before 2025-03', () => {
  it("read the period from the subscription and the invoice's subscription from `subscription`", () => {
    const sub = parseStripeEvent(
      stripeEvent({
        type: 'customer.subscription.updated',
        object: {
          id: 'sub_1',
          object: 'subscription',
          customer: { id: 'cus_1', object: 'customer' },
          status: 'trialing',
          current_period_start: 1_700_000_000,
          current_period_end: 1_702_592_000,
          items: { object: 'list', data: [{ price: { id: 'price_1', lookup_key: null, metadata: {} } }] },
        },
      }),
    );
    expect(sub).toMatchObject({
      kind: 'subscription',
      subscription: {
        customerId: 'cus_1',
        status: 'trialing',
        currentPeriodStart: '2023-11-14T22:13:20.000Z',
      },
    });
    const invoice = parseStripeEvent(
      stripeEvent({
        type: 'invoice.paid',
        object: {
          id: 'in_1',
          object: 'invoice',
          customer: 'cus_1',
          subscription: 'sub_1',
          amount_due: 100,
          amount_paid: 100,
          currency: 'USD',
        },
      }),
    );
    expect(invoice).toMatchObject({ kind: 'invoice', invoice: { subscriptionId: 'sub_1', currency: 'usd' } });
  });

  it('treat an unknown status as not paid for, and an unhandled type as ignored', () => {
    const event = parseStripeEvent(
      stripeEvent({
        type: 'customer.subscription.updated',
        object: { id: 'sub_1', object: 'subscription', customer: 'cus_1', status: 'brand_new_status' },
      }),
    );
    expect(event).toMatchObject({ subscription: { status: 'incomplete' } });
    expect(parseStripeEvent(stripeEvent({ type: 'charge.refunded', object: {} })).kind).toBe('ignored');
  });
});

describe('plans', () => {
  it('names a price without a plans entry after its lookup key, else custom, and ignores bad metadata', () => {
    expect(
      planForPrice({ lookupKey: 'Team Yearly', metadata: { events_per_month: '-1' } }, catalogue),
    ).toEqual({
      slug: 'team-yearly',
      limits: catalogue.free.limits,
    });
    expect(
      planForPrice({ metadata: { plan: 'Enterprise', requests_per_second: '2.5' } }, catalogue),
    ).toMatchObject({
      slug: 'enterprise',
      limits: { requestsPerSecond: 2.5 },
    });
    expect(planForPrice({ metadata: {} }, catalogue).slug).toBe('custom');
    expect(slugOf('!!!')).toBeUndefined();
  });
});

describe('billing state', () => {
  it('orders stamps by time, then kind', () => {
    expect(
      compareStamps({ created: 2, rank: 0, eventId: 'a' }, { created: 1, rank: 2, eventId: 'b' }),
    ).toBeGreaterThan(0);
    expect(
      compareStamps({ created: 1, rank: 1, eventId: 'a' }, { created: 1, rank: 2, eventId: 'b' }),
    ).toBeLessThan(0);
  });

  it('publishes nothing when the state is unchanged, and a strictly later changedAt otherwise', () => {
    const state = { status: 'active' as const, plan: 'free', quotas: catalogue.free.limits, entitled: true };
    const before = { tenantId: 't', state, changedAt: '2026-03-01T00:00:00.000Z', revision: 1 };
    expect(
      publishChange(before, { ...before }, new Date('2026-03-02T00:00:00.000Z')).message,
    ).toBeUndefined();
    const changed = publishChange(
      before,
      { ...before, state: { ...state, entitled: false } },
      new Date('2026-02-01T00:00:00.000Z'),
    );
    expect(changed.message?.changedAt).toBe('2026-03-01T00:00:00.001Z');
    expect(changed.message?.old).toEqual(state);
  });

  it('ends a grace only for an entitled past_due tenant whose grace is over', () => {
    const pastDue = {
      tenantId: 't',
      revision: 1,
      graceEndsAt: '2026-03-04T00:00:00.000Z',
      state: { status: 'past_due' as const, plan: 'pro', quotas: catalogue.free.limits, entitled: true },
    };
    expect(endGrace(pastDue, new Date('2026-03-03T23:59:59.000Z'))).toBeUndefined();
    expect(endGrace(pastDue, new Date('2026-03-04T00:00:00.000Z'))?.state?.entitled).toBe(false);
    expect(
      endGrace({ ...pastDue, state: { ...pastDue.state, status: 'active' } }, new Date('2027-01-01')),
    ).toBeUndefined();
  });
});

describe('usage', () => {
  it('uses calendar months for the free plan and 10-second dedup buckets', () => {
    expect(calendarMonth(new Date('2026-12-31T23:59:59.999Z'))).toEqual({
      start: '2026-12-01T00:00:00.000Z',
      end: '2027-01-01T00:00:00.000Z',
    });
    expect(currentPeriod(undefined, new Date('2026-03-20T00:00:00.000Z')).start).toBe(
      '2026-03-01T00:00:00.000Z',
    );
    expect(dedupBucket(new Date('2026-03-20T10:00:19.999Z'))).toBe('2026-03-20T10:00:10.000Z');
  });

  it('announces nothing for a metric the plan does not offer (limit 0)', () => {
    const quotas = { ...catalogue.free.limits, agentQueriesPerMonth: 0 };
    expect(crossings({ events: 0, agent_queries: 50 }, quotas, new Set())).toEqual([]);
    expect(crossings({ events: 10_000, agent_queries: 0 }, quotas, new Set(['events:80']))).toEqual([
      { metric: 'events', thresholdPercent: 100, used: 10_000, limit: 10_000 },
    ]);
  });
});
