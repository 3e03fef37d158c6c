// billing against the real local cloud (identity + billing): Stripe events signed with the stripe
// package and sent to the webhook, identity creating the checkout's tenant, the bus watched from
// outside, the tenant's routes called with identity's keys, and Stripe's API played by an HTTP fake.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  checkoutSessionObject,
  stripeEvent,
  stripeId,
  subscriptionObject,
} from '@switchyard/cli/src/stripe/events';
import { createKey, runCliJson, useDevJson } from '@switchyard/cli/src/testing';
import { bearerRequest, eventually, startLocalCloud, tapBus } from '@switchyard/local-cloud';
import type { BusTap, RunningLocalCloud } from '@switchyard/local-cloud';
import { repoRoot } from '@switchyard/local-cloud/src/repo-root';
import { BillingCloud } from './support/billing-cloud';
import { startStripeFake } from './support/stripe-fake';

let cloud: RunningLocalCloud;
let billing: BillingCloud;
let identityTap: BusTap;
let billingTap: BusTap;
let restoreDevJson: () => void = () => {};
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  const stateDir = join(
    repoRoot(),
    '.switchyard',
    'tests',
    `billing-${process.pid}-${Date.now().toString(36)}`,
  );
  cloud = await startLocalCloud({ services: ['identity', 'billing'], stateDir });
  restoreDevJson = useDevJson(join(stateDir, 'dev.json'));
  billing = new BillingCloud(cloud);
  identityTap = await tapBus(cloud, 'switchyard.identity');
  billingTap = await tapBus(cloud, 'switchyard.billing');
}, 240_000);

afterAll(async () => {
  restoreDevJson();
  await identityTap?.close();
  await billingTap?.close();
  await cloud?.stop();
});

/** A new customer's checkout: the subscription's created event, then the session. */
function newCheckout(email: string, options: { clientReferenceId?: string; created?: number } = {}) {
  const customerId = stripeId('cus');
  const subscriptionId = stripeId('sub');
  const sessionId = stripeId('cs_test');
  const created = options.created ?? now();
  const subscription = (status: 'active' | 'incomplete' | 'canceled', type: string, at: number) =>
    stripeEvent({
      type,
      created: at,
      object: subscriptionObject({
        subscriptionId,
        customerId,
        status,
        price: { lookupKey: 'pro_monthly' },
        created,
      }),
    });
  const session = stripeEvent({
    type: 'checkout.session.completed',
    created,
    object: checkoutSessionObject({
      sessionId,
      customerId,
      subscriptionId,
      email,
      tenantName: 'Acme',
      ...(options.clientReferenceId ? { clientReferenceId: options.clientReferenceId } : {}),
    }),
  });
  return { customerId, subscriptionId, sessionId, session, subscription };
}

const busDetail = (tap: BusTap, detailType: string, match: (d: Record<string, unknown>) => boolean) =>
  tap
    .take((seen) =>
      seen.some((e) => e['detail-type'] === detailType && match(e.detail as Record<string, unknown>)),
    )
    .then(
      (seen) =>
        seen.find((e) => e['detail-type'] === detailType && match(e.detail as Record<string, unknown>))!
          .detail as Record<string, unknown>,
    );

describe('POST /billing/stripe/webhook', () => {
  it('refuses a wrong, missing or old signature with 400 in the platform error shape, storing nothing', async () => {
    const event = stripeEvent({
      type: 'checkout.session.completed',
      object: checkoutSessionObject({ sessionId: 'cs_x', customerId: 'cus_x', email: 'x@example.com' }),
    });
    const wrong = await billing.send(event, { secret: 'whsec_not_the_one' });
    expect(wrong).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_signature', correlationId: expect.any(String) } },
    });
    const old = await billing.send(event, { timestamp: now() - 301 });
    expect(old.status).toBe(400);
    const missing = await fetch(`${cloud.apiUrl}/billing/stripe/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(missing.status).toBe(400);
    expect(await billing.item(`STRIPE_EVENT#${event.id}`, 'STRIPE_EVENT')).toBeUndefined();
    expect(await billing.item('CHECKOUT#cs_x', 'CHECKOUT')).toBeUndefined();
  });

  it('checkout → identity creates the tenant → billing links it and publishes its plan; redeliveries change nothing', async () => {
    const email = `buyer-${randomUUID().slice(0, 8)}@example.com`;
    const checkout = newCheckout(email);
    // Stripe's order in the wild: the invoice and subscription before the checkout.
    expect(
      (await billing.send(checkout.subscription('active', 'customer.subscription.created', now()))).body,
    ).toMatchObject({ outcome: 'kept_until_linked' });
    expect((await billing.send(checkout.session)).body).toMatchObject({ outcome: 'tenant_requested' });
    expect((await billing.send(checkout.session)).body).toMatchObject({ outcome: 'duplicate' });

    const created = await busDetail(
      identityTap,
      'TenantCreated',
      (d) => d.checkoutSessionId === checkout.sessionId,
    );
    const tenantId = String(created.tenantId);
    const changed = await busDetail(billingTap, 'SubscriptionChanged', (d) => d.tenantId === tenantId);
    expect(changed).toMatchObject({
      subscriptionId: checkout.subscriptionId,
      customerId: checkout.customerId,
      new: { status: 'active', plan: 'pro', entitled: true, quotas: { eventsPerMonth: 1_000_000 } },
    });
    expect(
      identityTap.seen.filter(
        (e) =>
          e['detail-type'] === 'TenantCreated' &&
          (e.detail as { checkoutSessionId?: string }).checkoutSessionId === checkout.sessionId,
      ),
    ).toHaveLength(1);

    // Five copies of one event at once: exactly one applies.
    const cancel = checkout.subscription('canceled', 'customer.subscription.deleted', now() + 1);
    const answers = await Promise.all(Array.from({ length: 5 }, () => billing.send(cancel)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers.map((a) => (a.body as { outcome: string }).outcome).sort()).toEqual([
      'applied',
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    const canceled = await busDetail(
      billingTap,
      'SubscriptionChanged',
      (d) => d.tenantId === tenantId && (d.new as { status: string }).status === 'canceled',
    );
    expect(canceled).toMatchObject({ new: { entitled: false }, old: { status: 'active' } });
    // A stale update (older than the cancellation) changes nothing.
    expect(
      (await billing.send(checkout.subscription('active', 'customer.subscription.updated', now()))).body,
    ).toMatchObject({ outcome: 'stale' });
    expect(await billing.tenant(tenantId)).toMatchObject({ state: { status: 'canceled', entitled: false } });
  });

  it('applies an update that came before its created event, and the tenant of client_reference_id at once', async () => {
    const tenantId = cloud.tenantId!;
    const checkout = newCheckout('demo-upgrade@example.com', { clientReferenceId: tenantId });
    const t = now();
    await billing.send(checkout.subscription('active', 'customer.subscription.updated', t + 2));
    expect(
      (await billing.send(checkout.subscription('incomplete', 'customer.subscription.created', t))).body,
    ).toMatchObject({ outcome: 'stale' });
    expect((await billing.send(checkout.session)).body).toMatchObject({ outcome: 'applied' });
    expect(await billing.tenant(tenantId)).toMatchObject({
      subscriptionId: checkout.subscriptionId,
      state: { status: 'active', plan: 'pro' },
    });
    const view = await eventually(
      async () => {
        const answer = await bearerRequest<Record<string, unknown>>(
          cloud,
          cloud.apiKey!,
          'GET',
          '/billing/subscription',
        );
        return answer.status === 200 && answer.body.plan === 'pro' ? answer : undefined;
      },
      { what: 'the demo admin key projected into billing, and the plan shown' },
    );
    expect(view.body).toMatchObject({
      tenant_id: tenantId,
      status: 'active',
      entitled: true,
      limits: {
        events_per_month: 1_000_000,
        requests_per_second: 100,
        agent_queries_per_month: 10_000,
        webhook_endpoints: 50,
      },
      subscription_id: checkout.subscriptionId,
    });
  });
});

describe("the tenant's routes", () => {
  it('need an admin: 401 without credentials, 403 for a creator key', async () => {
    expect((await bearerRequest(cloud, undefined, 'GET', '/billing/usage')).status).toBe(401);
    const creator = await createKey(cloud.tenantId!, 'creator');
    const refused = await eventually(
      async () => {
        const answer = await bearerRequest(cloud, creator.key, 'GET', '/billing/usage');
        return answer.status === 403 ? answer : undefined;
      },
      { what: 'the creator key projected and refused' },
    );
    expect(refused.body).toMatchObject({ error: { code: 'forbidden' } });
  });

  it('GET /billing/usage counts each EventReceived and AgentQueryCompleted once, redeliveries and replays included', async () => {
    const tenantId = cloud.tenantId!;
    const time = new Date().toISOString();
    const events = Array.from({ length: 30 }, (_, i) => ({
      id: `usage-${randomUUID()}`,
      time,
      tenantId,
      eventId: `evt_${i}`,
      eventType: 'demo.hello',
      source: 'billing-test',
      receivedAt: time,
      payload: { i },
    }));
    const queries = Array.from({ length: 3 }, (_, i) => ({
      id: `query-${randomUUID()}`,
      time,
      tenantId,
      queryId: `qry_${i}`,
      conversationId: 'cnv_1',
      model: 'switchyard-stand-in',
      inputTokens: 10,
      outputTokens: 5,
      toolCalls: 0,
      durationMs: 100,
      completedAt: time,
    }));
    await billing.publish('switchyard.ingest', 'EventReceived', events);
    await billing.publish('switchyard.ingest', 'EventReceived', events.slice(0, 10)); // redelivered
    await billing.publish('switchyard.agent', 'AgentQueryCompleted', [...queries, queries[0]!]);
    const usage = await eventually(
      async () => {
        const answer = await bearerRequest<{
          usage: { events: { used: number }; agent_queries: { used: number } };
        }>(cloud, cloud.apiKey!, 'GET', '/billing/usage');
        return answer.body?.usage?.events.used === 30 && answer.body.usage.agent_queries.used === 3
          ? answer
          : undefined;
      },
      { what: '30 events and 3 agent queries counted' },
    );
    expect(usage.body).toMatchObject({
      plan: 'pro',
      usage: {
        events: { used: 30, limit: 1_000_000, share: 0 },
        agent_queries: { used: 3, limit: 10_000, share: 0.0003 },
      },
    });
    // Nothing more arrives later: the copies were dropped, not delayed.
    await new Promise((done) => setTimeout(done, 3_000));
    const again = await bearerRequest<{ usage: { events: { used: number } } }>(
      cloud,
      cloud.apiKey!,
      'GET',
      '/billing/usage',
    );
    expect(again.body.usage.events.used).toBe(30);
  });

  it('POST /billing/checkout-session and /billing/portal-session call Stripe through its SDK (an HTTP fake here)', async () => {
    const stripe = await startStripeFake({ pro_monthly: 'price_fake_pro' });
    try {
      const env = {
        STRIPE_API_HOST: '127.0.0.1',
        STRIPE_API_PORT: String(stripe.port),
        STRIPE_API_PROTOCOL: 'http',
        STRIPE_SECRET_KEY: 'sk_test_fake',
      };
      await billing.configure('createCheckoutSession', env);
      await billing.configure('createPortalSession', env);
      // The demo tenant subscribed in an earlier test: a second subscription is refused.
      expect(
        (
          await bearerRequest(cloud, cloud.apiKey!, 'POST', '/billing/checkout-session', {
            priceLookupKey: 'pro_monthly',
          })
        ).body,
      ).toMatchObject({
        error: { code: 'subscription_exists' },
      });
      const portal = await bearerRequest<{ url: string }>(
        cloud,
        cloud.apiKey!,
        'POST',
        '/billing/portal-session',
      );
      expect(portal).toMatchObject({
        status: 201,
        body: { url: expect.stringMatching(/^https:\/\/billing\.stripe\.com\//) },
      });
      const portalCall = stripe.requests.find((r) => r.path === '/v1/billing_portal/sessions');
      expect(portalCall?.form.get('customer')).toMatch(/^cus_/);
      expect(portalCall?.authorization).toBe('Bearer sk_test_fake');

      // A tenant on the free plan: its checkout names it as client_reference_id.
      const free = await createFreeTenant();
      const answer = await bearerRequest<{ id: string; url: string }>(
        cloud,
        free.key,
        'POST',
        '/billing/checkout-session',
        { priceLookupKey: 'pro_monthly' },
      );
      expect(answer).toMatchObject({
        status: 201,
        body: { url: expect.stringMatching(/^https:\/\/checkout\.stripe\.com\//) },
      });
      const call = stripe.requests.find((r) => r.path === '/v1/checkout/sessions');
      expect(call?.form.get('client_reference_id')).toBe(free.tenantId);
      expect(call?.form.get('line_items[0][price]')).toBe('price_fake_pro');
      expect(
        (
          await bearerRequest(cloud, free.key, 'POST', '/billing/checkout-session', {
            priceLookupKey: 'nope',
          })
        ).body,
      ).toMatchObject({ error: { code: 'unknown_price' } });
      expect((await bearerRequest(cloud, free.key, 'POST', '/billing/checkout-session', {})).status).toBe(
        400,
      );
    } finally {
      await stripe.close();
    }
  });
});

/** A tenant made by the operator CLI (no checkout): billing starts it on the free plan. */
async function createFreeTenant(): Promise<{ tenantId: string; key: string }> {
  const created = await runCliJson<{ tenant: { tenantId: string }; apiKey: { key: string } }>([
    'tenants',
    'create',
    '--name',
    'Free Co',
    '--admin-email',
    `free-${randomUUID().slice(0, 8)}@example.com`,
  ]);
  const tenantId = created.tenant.tenantId;
  const key = created.apiKey.key;
  await eventually(
    async () => {
      const answer = await bearerRequest<{ plan: string }>(cloud, key, 'GET', '/billing/subscription');
      return answer.status === 200 && (await billing.tenant(tenantId)) ? answer : undefined;
    },
    { what: 'the free tenant known to billing' },
  );
  const free = await busDetail(billingTap, 'SubscriptionChanged', (d) => d.tenantId === tenantId);
  expect(free).toMatchObject({
    subscriptionId: 'free',
    new: { plan: 'free', quotas: { eventsPerMonth: 10_000 } },
  });
  return { tenantId, key };
}
