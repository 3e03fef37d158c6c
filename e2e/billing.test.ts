// e2e, black-box (identity + ingest + billing in one local cloud): a newcomer's whole billing story
// without a Stripe account. `npx switchyard stripe trigger` (in process, pointed at this cloud's
// dev.json) plays Stripe; the admin signs in with the code from the local mailbox; the API shows the
// plan and the usage; a canceled subscription makes ingest answer 402.
//
// Measured (printed, not asserted as timings): how long after the cancellation's webhook is answered
// ingest refuses the tenant's key (SubscriptionChanged through billing's outbox, the bus, ingest's
// projection and its 5 s entitlement cache), over several tenants.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createKey, runCliJson, useDevJson } from '@switchyard/cli/src/testing';
import { bearerRequest, eventually, startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import { listEmails } from '@switchyard/local-cloud/src/emulators/ses';
import { repoRoot } from '@switchyard/local-cloud/src/repo-root';

/** Tenants the cancellation → 402 figure is measured over. */
const CANCEL_RUNS = 5;

let cloud: RunningLocalCloud;
let restoreDevJson: () => void = () => {};

beforeAll(async () => {
  const stateDir = join(
    repoRoot(),
    '.switchyard',
    'tests',
    `e2e-billing-${process.pid}-${Date.now().toString(36)}`,
  );
  cloud = await startLocalCloud({ services: ['identity', 'ingest', 'billing'], stateDir });
  restoreDevJson = useDevJson(join(stateDir, 'dev.json'));
}, 300_000);

afterAll(async () => {
  restoreDevJson();
  await cloud?.stop();
});

interface Trigger {
  sent: { id: string; type: string; status: number; answer: { outcome?: string } }[];
}

const trigger = (...args: string[]) => runCliJson<Trigger>(['stripe', 'trigger', ...args]);

async function post(path: string, body: unknown) {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json().catch(() => undefined)) as Record<string, unknown>,
  };
}

/** The latest six-digit code e-mailed to `email`. */
const codeFor = (email: string) =>
  eventually(
    async () => {
      const mails = (await listEmails(cloud.endpoints.ses)).filter((m) => m.destination.to.includes(email));
      return /\b(\d{6})\b/.exec(mails.at(-1)?.body.text ?? '')?.[1];
    },
    { what: `a sign-in code e-mailed to ${email}`, timeoutMs: 60_000 },
  );

const publish = (key: string, n = 0) =>
  bearerRequest(cloud, key, 'POST', '/events', { event_type: 'billing.e2e', payload: { n } });

/** A checkout for a new e-mail, through the CLI; resolves once identity has e-mailed its admin a code. */
async function checkoutTenant(email: string): Promise<void> {
  const { sent } = await trigger('checkout.session.completed', '--email', email, '--name', 'E2E Co');
  expect(sent.map((s) => [s.type, s.status])).toEqual([
    ['customer.subscription.created', 200],
    ['checkout.session.completed', 200],
  ]);
  await codeFor(email);
}

describe('billing, end to end', () => {
  it('checkout → the admin signs in → plan → a key publishes → usage → canceled → 402', async () => {
    const email = `founder-${randomUUID().slice(0, 8)}@example.com`;
    await checkoutTenant(email);

    // The new admin signs in with the code identity e-mailed when it created the tenant.
    const verify = await post('/auth/verify', { email, code: await codeFor(email) });
    expect(verify.status).toBe(200);
    const token = String(verify.body.idToken);

    const subscription = await eventually(
      async () => {
        const answer = await bearerRequest<Record<string, unknown>>(
          cloud,
          token,
          'GET',
          '/billing/subscription',
        );
        return answer.status === 200 && answer.body.plan === 'pro' ? answer.body : undefined;
      },
      { what: 'the pro plan shown to the new admin', timeoutMs: 60_000 },
    );
    expect(subscription).toMatchObject({
      status: 'active',
      entitled: true,
      limits: { events_per_month: 1_000_000 },
    });
    const tenantId = String(subscription.tenant_id);

    const created = await bearerRequest<{ apiKey: { key: string } }>(cloud, token, 'POST', '/keys', {
      role: 'creator',
    });
    expect(created.status).toBe(201);
    const key = created.body.apiKey.key;
    let last: unknown;
    await eventually(
      async () => {
        const answer = await publish(key, 1);
        last = answer.body;
        return answer.status === 202 ? true : undefined;
      },
      { what: "the new key accepted by ingest's projection", timeoutMs: 60_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}; last answer ${JSON.stringify(last)}`);
    });

    const usage = await eventually(
      async () => {
        const answer = await bearerRequest<{ usage: { events: { used: number; share: number } } }>(
          cloud,
          token,
          'GET',
          '/billing/usage',
        );
        return answer.body?.usage?.events.used >= 1 ? answer.body : undefined;
      },
      { what: 'the published event counted by billing', timeoutMs: 60_000 },
    );
    expect(usage.usage.events).toMatchObject({ used: 1, share: 0 });

    const { sent } = await trigger('customer.subscription.deleted', '--tenant', tenantId);
    expect(sent[0]).toMatchObject({ status: 200, answer: { outcome: 'applied' } });
    const refused = await eventually(
      async () => {
        const answer = await publish(key, 2);
        return answer.status === 402 ? answer : undefined;
      },
      { what: 'ingest refusing the canceled tenant', timeoutMs: 60_000 },
    );
    expect(refused.body).toMatchObject({ error: { code: 'payment_required' } });
    expect(
      (await bearerRequest<Record<string, unknown>>(cloud, token, 'GET', '/billing/subscription')).body,
    ).toMatchObject({ status: 'canceled', entitled: false });
  });

  it(`measures how long a cancellation takes to reach ingest (${CANCEL_RUNS} tenants)`, async () => {
    const figures: number[] = [];
    for (let run = 0; run < CANCEL_RUNS; run++) {
      const email = `cancel-${run}-${randomUUID().slice(0, 8)}@example.com`;
      await checkoutTenant(email);
      const tenantId = await tenantOf(email);
      const { key } = await createKey(tenantId, 'creator');
      await eventually(async () => ((await publish(key)).status === 202 ? true : undefined), {
        what: 'the key accepted by ingest',
        timeoutMs: 60_000,
      });
      // Let ingest's entitlement cache hold the active plan, as it would for a busy producer.
      await sleep(1_000);
      await trigger('customer.subscription.deleted', '--tenant', tenantId);
      const started = performance.now();
      for (;;) {
        if ((await publish(key)).status === 402) break;
        if (performance.now() - started > 60_000) throw new Error('no 402 within 60 s');
        await sleep(20);
      }
      figures.push(performance.now() - started);
    }
    const sorted = [...figures].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(
      `cancellation → ingest 402 over ${figures.length} tenants: median ${Math.round(median)} ms, max ${Math.round(sorted.at(-1)!)} ms ` +
        `(${figures.map((f) => Math.round(f)).join(', ')} ms)`,
    );
    expect(figures).toHaveLength(CANCEL_RUNS);
  });
});

/** The tenant identity created for `email`: its admin signs in and reads it from billing. */
async function tenantOf(email: string): Promise<string> {
  const verify = await post('/auth/verify', { email, code: await codeFor(email) });
  expect(verify.status).toBe(200);
  const answer = await eventually(
    async () => {
      const view = await bearerRequest<{ tenant_id: string; plan: string }>(
        cloud,
        String(verify.body.idToken),
        'GET',
        '/billing/subscription',
      );
      return view.status === 200 && view.body.plan === 'pro' ? view.body : undefined;
    },
    { what: `${email}'s plan`, timeoutMs: 60_000 },
  );
  return answer.tenant_id;
}
