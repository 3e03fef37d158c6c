import {
  checkoutSessionObject,
  invoiceObject,
  signedWebhook,
  stripeEvent,
  subscriptionObject,
} from '@switchyard/cli/src/stripe/events';
import { isHttpError } from '@switchyard/runtime';
import Stripe from 'stripe';
import { sweepGraceEnds } from '../../../src/app/grace';
import type { WebhookDeps } from '../../../src/app/stripe-webhook';
import { receiveStripeWebhook } from '../../../src/app/stripe-webhook';
import { linkCheckout, startFreePlan } from '../../../src/app/tenants';
import { catalogue, FakeBillingStore } from '../fakes';

const SECRET = 'whsec_unit_test_secret';
const TENANT = 'ten_01J9Z3VZ4Y0D8E6F2G1H3J5K7M';
const T0 = 1_770_000_000; // seconds
const GRACE = 3 * 24 * 60 * 60;

function setup(nowMs = T0 * 1000 + 60_000) {
  const store = new FakeBillingStore();
  const clock = { now: new Date(nowMs) };
  const deps: WebhookDeps = {
    store,
    catalogue,
    graceSeconds: GRACE,
    now: () => clock.now,
    verify: (payload, signature) =>
      Stripe.webhooks.constructEventAsync(
        payload,
        signature ?? '',
        SECRET,
        300,
        undefined,
        clock.now.getTime(),
      ),
  };
  const deliver = (event: object, options: { secret?: string; timestamp?: number } = {}) => {
    const signed = signedWebhook(
      event,
      options.secret ?? SECRET,
      options.timestamp ?? Math.floor(clock.now.getTime() / 1000),
    );
    return receiveStripeWebhook(Buffer.from(signed.body), signed.signature, deps);
  };
  return { store, deps, clock, deliver };
}

const sub = (
  created: number,
  status: Stripe.Subscription.Status,
  type = 'customer.subscription.updated',
  lookupKey = 'pro_monthly',
) =>
  stripeEvent({
    type,
    created,
    object: subscriptionObject({
      subscriptionId: 'sub_1',
      customerId: 'cus_1',
      status,
      price: { lookupKey },
      currentPeriodStart: T0,
      currentPeriodEnd: T0 + 30 * 86_400,
    }),
  });
const checkout = (created: number, extra: { clientReferenceId?: string } = {}) =>
  stripeEvent({
    type: 'checkout.session.completed',
    created,
    object: checkoutSessionObject({
      sessionId: 'cs_test_1',
      customerId: 'cus_1',
      subscriptionId: 'sub_1',
      email: 'ada@acme.example',
      tenantName: 'Acme',
      ...extra,
    }),
  });
const invoice = (created: number, paid: boolean) =>
  stripeEvent({
    type: paid ? 'invoice.paid' : 'invoice.payment_failed',
    created,
    object: invoiceObject({
      invoiceId: `in_${created}`,
      customerId: 'cus_1',
      subscriptionId: 'sub_1',
      paid,
      created,
    }),
  });

/** identity's part: CheckoutCompleted → a tenant → TenantCreated(checkoutSessionId) → billing links. */
async function identityAnswers(store: FakeBillingStore, deps: WebhookDeps) {
  for (const message of store.published.filter((m) => m.type === 'CheckoutCompleted')) {
    if (message.type === 'CheckoutCompleted')
      await linkCheckout(message.body.checkoutSessionId, TENANT, deps);
  }
}

async function expectStatus(promise: Promise<unknown>, status: number, code: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isHttpError(error) && { status: error.status, code: error.code }).toEqual({ status, code });
}

describe('the Stripe webhook', () => {
  it('refuses a wrong secret, a missing signature and an old timestamp with 400, storing nothing', async () => {
    const { deliver, store, deps } = setup();
    await expectStatus(deliver(sub(T0, 'active'), { secret: 'whsec_wrong' }), 400, 'invalid_signature');
    await expectStatus(deliver(sub(T0, 'active'), { timestamp: T0 + 60 - 301 }), 400, 'invalid_signature');
    await expectStatus(
      receiveStripeWebhook(Buffer.from(JSON.stringify(sub(T0, 'active'))), undefined, deps),
      400,
      'invalid_signature',
    );
    expect(store.commits).toBe(0);
  });

  it('answers other event types without storing anything', async () => {
    const { deliver, store } = setup();
    const result = await deliver(
      stripeEvent({ type: 'customer.created', object: { id: 'cus_1', object: 'customer' } }),
    );
    expect(result.outcome).toBe('ignored');
    expect(store.commits).toBe(0);
  });

  it('checkout → CheckoutCompleted → the tenant identity made gets the plan, once however often events come', async () => {
    const { deliver, store, deps } = setup();
    const created = sub(T0, 'active', 'customer.subscription.created');
    expect((await deliver(created)).outcome).toBe('kept_until_linked');
    const completed = checkout(T0);
    expect((await deliver(completed)).outcome).toBe('tenant_requested');
    expect((await deliver(completed)).outcome).toBe('duplicate');
    expect(store.published.filter((m) => m.type === 'CheckoutCompleted')).toHaveLength(1);
    expect(store.published[0]).toMatchObject({
      type: 'CheckoutCompleted',
      body: { tenantId: '_platform', email: 'ada@acme.example', tenantName: 'Acme', customerId: 'cus_1' },
    });
    await identityAnswers(store, deps);
    await identityAnswers(store, deps);
    expect(store.changesOf(TENANT)).toEqual([
      expect.objectContaining({
        subscriptionId: 'sub_1',
        customerId: 'cus_1',
        new: expect.objectContaining({
          status: 'active',
          plan: 'pro',
          entitled: true,
          quotas: {
            eventsPerMonth: 1_000_000,
            requestsPerSecond: 100,
            agentQueriesPerMonth: 10_000,
            webhookEndpoints: 50,
          },
          currentPeriodStart: new Date(T0 * 1000).toISOString(),
        }),
      }),
    ]);
    expect((await deliver(created)).outcome).toBe('duplicate');
  });

  it('concurrent duplicates: one applies, the other is a duplicate, one message published', async () => {
    const { deliver, store } = setup();
    const event = checkout(T0);
    const outcomes = await Promise.all([deliver(event), deliver(event)]);
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['duplicate', 'tenant_requested']);
    expect(store.published).toHaveLength(1);
  });

  it('a stale subscription event changes nothing: updated before created, deleted before updated', async () => {
    const { deliver, store } = setup();
    await deliver(checkout(T0, { clientReferenceId: TENANT }));
    expect((await deliver(sub(T0 + 20, 'active'))).outcome).toBe('applied');
    expect((await deliver(sub(T0 + 10, 'incomplete', 'customer.subscription.created'))).outcome).toBe(
      'stale',
    );
    expect((await deliver(sub(T0 + 40, 'canceled', 'customer.subscription.deleted'))).outcome).toBe(
      'applied',
    );
    expect((await deliver(sub(T0 + 30, 'active'))).outcome).toBe('stale');
    // Even a later-stamped update cannot revive a canceled subscription.
    expect((await deliver(sub(T0 + 50, 'active'))).outcome).toBe('stale');
    expect(store.changesOf(TENANT).map((c) => [c.new.status, c.new.entitled])).toEqual([
      ['active', true],
      ['canceled', false],
    ]);
  });

  it('orders events created in the same second: created, then updated, then deleted', async () => {
    const { deliver, store } = setup();
    await deliver(checkout(T0, { clientReferenceId: TENANT }));
    await deliver(sub(T0 + 5, 'canceled', 'customer.subscription.deleted'));
    expect((await deliver(sub(T0 + 5, 'active'))).outcome).toBe('stale');
    expect((await deliver(sub(T0 + 5, 'incomplete', 'customer.subscription.created'))).outcome).toBe('stale');
    expect(store.tenants.get(TENANT)?.state?.status).toBe('canceled');
  });

  // Every order of a checkout's events ends in the same state, with each message published once.
  const script = [
    () => sub(T0, 'incomplete', 'customer.subscription.created'),
    () => sub(T0 + 2, 'active'),
    () => invoice(T0 + 2, true),
    () => checkout(T0 + 3),
  ];
  const permutations = (n: number): number[][] =>
    n === 0
      ? [[]]
      : permutations(n - 1).flatMap((p) =>
          Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
        );
  it.each(permutations(script.length).map((order) => [order.join(',')]))(
    'order %s converges',
    async (order) => {
      const { deliver, store, deps } = setup();
      for (const index of order.split(',').map(Number)) {
        await deliver(script[index]!());
        await identityAnswers(store, deps);
      }
      const tenant = store.tenants.get(TENANT);
      expect(tenant?.state).toMatchObject({ status: 'active', plan: 'pro', entitled: true });
      expect(store.changesOf(TENANT).at(-1)?.new).toMatchObject({ status: 'active', entitled: true });
      expect(store.published.filter((m) => m.type === 'InvoicePaid')).toEqual([
        expect.objectContaining({
          body: expect.objectContaining({ tenantId: TENANT, invoiceId: `in_${T0 + 2}`, amountPaid: 4900 }),
        }),
      ]);
      expect(store.pending.size).toBe(0);
    },
  );

  it('invoice.payment_failed before the checkout is e-mailable once the tenant is known', async () => {
    const { deliver, store, deps } = setup();
    await deliver(invoice(T0 + 1, false));
    expect(store.published).toEqual([]);
    await deliver(checkout(T0));
    await identityAnswers(store, deps);
    const failed = store.published.find((m) => m.type === 'InvoicePaymentFailed');
    expect(failed?.body).toMatchObject({
      tenantId: TENANT,
      amountDue: 4900,
      currency: 'eur',
      attemptCount: 1,
      hostedInvoiceUrl: expect.stringMatching(/^https:\/\/invoice\.stripe\.com\//),
      nextPaymentAttempt: new Date((T0 + 1 + 3 * 86_400) * 1000).toISOString(),
    });
  });

  it('past_due stays entitled for the grace period, then the sweeper refuses it and says so', async () => {
    const { deliver, store, deps, clock } = setup();
    await deliver(checkout(T0, { clientReferenceId: TENANT }));
    await deliver(sub(T0 + 10, 'active'));
    clock.now = new Date((T0 + 20) * 1000);
    await deliver(sub(T0 + 20, 'past_due'));
    expect(store.tenants.get(TENANT)).toMatchObject({
      state: { status: 'past_due', entitled: true },
      graceEndsAt: new Date((T0 + 20 + GRACE) * 1000).toISOString(),
    });
    clock.now = new Date((T0 + 20 + GRACE - 1) * 1000);
    expect(await sweepGraceEnds(deps)).toEqual({ refused: 0, skipped: 0 });
    clock.now = new Date((T0 + 20 + GRACE + 1) * 1000);
    expect(await sweepGraceEnds(deps)).toEqual({ refused: 1, skipped: 0 });
    expect(await sweepGraceEnds(deps)).toEqual({ refused: 0, skipped: 0 });
    const changes = store.changesOf(TENANT).map((c) => [c.new.status, c.new.entitled]);
    expect(changes).toEqual([
      ['active', true],
      ['past_due', true],
      ['past_due', false],
    ]);
    // A payment that comes in afterwards makes it active again.
    await deliver(sub(T0 + GRACE + 100, 'active'));
    expect(store.changesOf(TENANT).at(-1)?.new).toMatchObject({ status: 'active', entitled: true });
  });

  it('takes limits from the price metadata over the plans file, and the plans file over the free plan', async () => {
    const { deliver, store } = setup();
    await deliver(checkout(T0, { clientReferenceId: TENANT }));
    await deliver(
      stripeEvent({
        type: 'customer.subscription.updated',
        created: T0 + 1,
        object: subscriptionObject({
          subscriptionId: 'sub_1',
          customerId: 'cus_1',
          status: 'active',
          price: { lookupKey: 'starter_monthly', metadata: { events_per_month: '500' } },
        }),
      }),
    );
    expect(store.tenants.get(TENANT)?.state).toMatchObject({
      plan: 'starter',
      quotas: {
        eventsPerMonth: 500,
        requestsPerSecond: 25,
        agentQueriesPerMonth: 1000,
        webhookEndpoints: 10,
      },
    });
  });

  it('starts a tenant without a checkout on the free plan, once', async () => {
    const { store, deps } = setup();
    expect(await startFreePlan(TENANT, deps)).toBe('started');
    expect(await startFreePlan(TENANT, deps)).toBe('exists');
    expect(store.changesOf(TENANT)).toEqual([
      expect.objectContaining({
        subscriptionId: 'free',
        new: {
          status: 'active',
          plan: 'free',
          entitled: true,
          quotas: {
            eventsPerMonth: 10_000,
            requestsPerSecond: 10,
            agentQueriesPerMonth: 100,
            webhookEndpoints: 3,
          },
        },
      }),
    ]);
  });

  it('a write that loses a race reads again and applies on top of the winner', async () => {
    const { deliver, store } = setup();
    await deliver(checkout(T0, { clientReferenceId: TENANT }));
    await deliver(sub(T0 + 1, 'active'));
    store.beforeCommit = async () => {
      store.beforeCommit = undefined;
      await deliver(sub(T0 + 3, 'past_due'));
    };
    expect((await deliver(sub(T0 + 2, 'trialing'))).outcome).toBe('stale');
    expect(store.tenants.get(TENANT)?.state?.status).toBe('past_due');
  });
});
