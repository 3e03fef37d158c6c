// delivery's HTTP API against the real local cloud (identity issues keys and people's tokens,
// ingest accepts events, delivery's engine delivers them to HTTP receivers started here):
// who may call (admin keys, Admins people; other roles 403; revoked, unknown, malformed 401),
// tenant isolation (another tenant's subscriptions, attempts and deliveries are 404), secrets shown
// only on create and rotate, field-level 400s, PATCH re-enabling, rotation signing with both
// secrets (verified with the official `standardwebhooks` package), test events, resend, recover,
// attempts and deliveries listings with signed cursors, and the OpenAPI document.
import { NEGATIVE_CACHE_TTL_MS } from '@switchyard/access';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS, OperatorApi } from '@switchyard/cli/src/api';
import { bearerRequest, startLocalCloud } from '@switchyard/local-cloud';
import type { ApiResponse, RunningLocalCloud } from '@switchyard/local-cloud';
import { listEmails } from '@switchyard/local-cloud/src/emulators/ses';
import { Webhook } from 'standardwebhooks';
import type {
  AttemptPage,
  CreatedSubscriptionResponse,
  ErrorResponse,
  EventDeliveriesResponse,
  RecoverResponse,
  RequestedAttemptResponse,
  RotatedSecretResponse,
  SubscriptionPage,
  SubscriptionResponse,
} from '../../src/api-schemas';
import { INVALID_CREDENTIALS } from '../../src/adapters/caller';
import type { SigningSecret } from '../../src/domain/model';
import { eventually } from './support/delivery-env';

const STAGE = 'local';
const TABLE = `delivery-${STAGE}`;
const RUN = Date.now().toString(36);
const DAY_MS = 24 * 60 * 60 * 1000;

// ---------------------------------------------------------------------------------------------------
// A webhook receiver: records every request; answers what `respond` says (200 by default).

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: (path: string) => string;
  received: Received[];
  on: (path: string) => Received[];
  respond: (path: string, status: number) => void;
  close: () => Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const statuses = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(statuses.get(path) ?? 200, { 'content-type': 'text/plain' });
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    on: (path) => received.filter((r) => r.path === path),
    respond: (path, status) => statuses.set(path, status),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const webhookHeaders = (r: Received) => ({
  'webhook-id': String(r.headers['webhook-id']),
  'webhook-timestamp': String(r.headers['webhook-timestamp']),
  'webhook-signature': String(r.headers['webhook-signature']),
});

// ---------------------------------------------------------------------------------------------------

describe('delivery API', () => {
  let cloud: RunningLocalCloud;
  let table: DynamoDBDocumentClient;
  let receiver: Receiver;
  let operator: OperatorApi;
  /** The demo tenant (its admin key from the cloud's dev info). */
  let a: { tenantId: string; adminKey: string };
  /** A second tenant, with its admin key and its admin person's id token. */
  let b: { tenantId: string; adminKey: string; adminEmail: string; personToken: string };

  const api = <T = unknown>(token: string | undefined, method: string, path: string, body?: unknown) =>
    bearerRequest<T>(cloud, token, method, path, body);

  /** Waits until delivery's key projection knows `key` (the API stops answering 401). */
  const untilAuthenticated = async (key: string) => {
    await eventually('the key to reach delivery', async () =>
      (await api(key, 'GET', '/subscriptions?limit=1')).status === 401 ? undefined : true,
    );
    // Another instance may have cached the key as unknown while we polled: wait out that bound.
    await new Promise((resolve) => setTimeout(resolve, NEGATIVE_CACHE_TTL_MS + 100));
  };

  /** A key made by an operator (identity's IAM-signed API, as `switchyard keys create` does). */
  const operatorCreateKey = async (tenantId: string, role: 'viewer' | 'creator' | 'admin') => {
    const created = await operator.request<{ apiKey: { keyId: string; key: string } }>(
      'POST',
      `/operator/tenants/${tenantId}/keys`,
      { body: { role } },
    );
    return created.apiKey;
  };

  const createSubscription = async (token: string, body: Record<string, unknown>) => {
    const response = await api<CreatedSubscriptionResponse>(token, 'POST', '/subscriptions', body);
    if (response.status !== 201)
      throw new Error(`create: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };

  const publish = async (eventType: string, payload: Record<string, unknown>) => {
    const response = await api<{ event_id: string }>(a.adminKey, 'POST', '/events', {
      event_type: eventType,
      payload,
    });
    if (response.status !== 202)
      throw new Error(`publish: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.event_id;
  };

  const storedSecrets = async (tenantId: string, subscriptionId: string) => {
    const { Item } = await table.send(
      new GetCommand({ TableName: TABLE, Key: { pk: `TENANT#${tenantId}`, sk: `SUB#${subscriptionId}` } }),
    );
    return Item?.secrets as SigningSecret[];
  };

  const deliveriesOf = (eventId: string) =>
    api<EventDeliveriesResponse>(a.adminKey, 'GET', `/events/${eventId}/deliveries`);

  async function signIn(email: string): Promise<string> {
    const sentAfter = Math.floor(Date.now() / 1000) - 1;
    const login = await bearerRequest(cloud, undefined, 'POST', '/auth/login', { email });
    expect(login.status).toBe(202);
    const code = await eventually(`the sign-in code for ${email}`, async () => {
      const mails = (await listEmails(cloud.endpoints.ses, sentAfter)).filter((m) =>
        m.destination.to.includes(email),
      );
      return /\b(\d{6})\b/.exec(mails.at(-1)?.body.text ?? '')?.[1];
    });
    const verify = await bearerRequest<{ idToken: string }>(cloud, undefined, 'POST', '/auth/verify', {
      email,
      code,
    });
    expect(verify.status).toBe(200);
    return verify.body.idToken;
  }

  beforeAll(async () => {
    cloud = await startLocalCloud({ services: ['identity', 'ingest', 'delivery'], stage: STAGE });
    table = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: cloud.endpoints.dynamodb,
        region: cloud.region,
        credentials: LOCAL_CREDENTIALS,
      }),
    );
    receiver = await startReceiver();
    operator = new OperatorApi({
      baseUrl: cloud.apiUrl,
      region: cloud.region,
      credentials: LOCAL_CREDENTIALS,
    });
    if (!cloud.tenantId || !cloud.apiKey) throw new Error(`no demo tenant: ${cloud.missing.join(', ')}`);
    a = { tenantId: cloud.tenantId, adminKey: cloud.apiKey };

    const adminEmail = `delivery-b-${RUN}@example.com`;
    const created = await operator.request<{ tenant: { tenantId: string }; apiKey: { key: string } }>(
      'POST',
      '/operator/tenants',
      { body: { name: `Delivery B ${RUN}`, adminEmail } },
    );
    await Promise.all([untilAuthenticated(a.adminKey), untilAuthenticated(created.apiKey.key)]);
    b = {
      tenantId: created.tenant.tenantId,
      adminKey: created.apiKey.key,
      adminEmail,
      personToken: await signIn(adminEmail),
    };
  });

  afterAll(async () => {
    await receiver?.close();
    table?.destroy();
    await cloud?.stop();
  });

  // -------------------------------------------------------------------------------------------------
  describe('who may call', () => {
    it('refuses other roles with 403, and unknown, revoked, malformed and missing credentials with one 401', async () => {
      const keys = await Promise.all(
        (['viewer', 'creator'] as const).map((role) => operatorCreateKey(a.tenantId, role)),
      );
      for (const { key } of keys) {
        const response = await eventually('the key to reach delivery', async () => {
          const r = await api<ErrorResponse>(key, 'GET', '/subscriptions');
          return r.status === 401 ? undefined : r;
        });
        expect(response.status).toBe(403);
        expect(response.body.error.code).toBe('forbidden');
      }

      // An admin key revoked before delivery ever saw it in use: refused once the revocation is projected.
      const revoked = await operatorCreateKey(a.tenantId, 'admin');
      await operator.request('DELETE', `/operator/keys/${revoked.keyId}`);
      await eventually('the revocation to reach delivery', async () => {
        const { Item } = await table.send(
          new GetCommand({ TableName: TABLE, Key: { pk: `KEY#${revoked.keyId}`, sk: 'KEY' } }),
        );
        return Item?.status === 'revoked' ? true : undefined;
      });

      const unknownKey = `sy_test_${'a'.repeat(20)}_${Buffer.alloc(32, 9).toString('base64url')}`;
      const forged = `${b.personToken.slice(0, -4)}AAAA`;
      for (const token of [revoked.key, unknownKey, forged, 'garbage', '', undefined]) {
        const response = await api<ErrorResponse>(token, 'GET', '/subscriptions');
        expect([response.status, response.body.error.message]).toEqual([401, INVALID_CREDENTIALS]);
        expect(response.headers.get('www-authenticate')).toBe('Bearer');
      }
      // Anonymous callers learn nothing about the request's shape: 401 before validation.
      const anonymous = await api<ErrorResponse>(undefined, 'POST', '/subscriptions', { url: 42 });
      expect(anonymous.status).toBe(401);
    });

    it("lets an Admins person manage their tenant's subscriptions with an id token", async () => {
      const created = await createSubscription(b.personToken, {
        url: receiver.url('/b-person'),
        event_types: [`person.${RUN}`],
      });
      expect(created.secret).toMatch(/^whsec_/);
      const listed = await api<SubscriptionPage>(b.adminKey, 'GET', '/subscriptions');
      expect(listed.body.subscriptions.map((s) => s.subscription_id)).toContain(created.subscription_id);
      const patched = await api<SubscriptionResponse>(
        b.personToken,
        'PATCH',
        `/subscriptions/${created.subscription_id}`,
        { description: 'by a person' },
      );
      expect([patched.status, patched.body.description]).toEqual([200, 'by a person']);
      expect((await api(b.personToken, 'DELETE', `/subscriptions/${created.subscription_id}`)).status).toBe(
        204,
      );
    });
  });

  // -------------------------------------------------------------------------------------------------
  describe('subscriptions', () => {
    it('creates with the secret once; reads, lists and pages without it', async () => {
      const created = await api<CreatedSubscriptionResponse>(a.adminKey, 'POST', '/subscriptions', {
        url: 'https://example.com/hooks/orders',
        event_types: ['order.*', 'invoice.paid', 'order.*'],
        description: 'orders',
        rate_limit_per_second: 5,
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('location')).toBe(`/subscriptions/${created.body.subscription_id}`);
      expect(created.body).toMatchObject({
        subscription_id: expect.stringMatching(/^sub_[0-9A-Z]{26}$/),
        url: 'https://example.com/hooks/orders',
        event_types: ['order.*', 'invoice.paid'],
        description: 'orders',
        enabled: true,
        rate_limit_per_second: 5,
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
      });
      expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(24);
      const id = created.body.subscription_id;

      const read = await api<SubscriptionResponse>(a.adminKey, 'GET', `/subscriptions/${id}`);
      expect(read.status).toBe(200);
      const { secret: _secret, ...withoutSecret } = created.body;
      expect(read.body).toEqual(withoutSecret);
      expect(JSON.stringify(read.body)).not.toContain('whsec_');

      // Pages of 2 over at least 3 subscriptions, oldest first, none with a secret.
      await createSubscription(a.adminKey, { url: 'https://example.com/2', event_types: [`none.${RUN}`] });
      await createSubscription(a.adminKey, { url: 'https://example.com/3', event_types: [`none.${RUN}`] });
      const seen: SubscriptionResponse[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `/subscriptions?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page: ApiResponse<SubscriptionPage> = await api<SubscriptionPage>(a.adminKey, 'GET', query);
        expect(page.status).toBe(200);
        expect(page.body.subscriptions.length).toBeLessThanOrEqual(2);
        expect(JSON.stringify(page.body)).not.toContain('whsec_');
        seen.push(...page.body.subscriptions);
        cursor = page.body.next_cursor;
        expect(page.body.has_more).toBe(cursor !== null);
        pages++;
      } while (cursor && pages < 50);
      expect(pages).toBeGreaterThanOrEqual(2);
      const ids = seen.map((s) => s.subscription_id);
      expect(ids).toContain(id);
      expect(ids).toEqual([...ids].sort());
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('answers bad input with 400 and field-level details', async () => {
      const bad = await api<ErrorResponse>(a.adminKey, 'POST', '/subscriptions', {
        url: 'ftp://example.com/x',
        event_types: ['order.created', 'order*'],
        rate_limit_per_second: 0,
        colour: 'red',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('validation_failed');
      const paths = (bad.body.error.details as { path: string }[]).map((d) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['url', 'event_types.1', 'rate_limit_per_second']));
      expect(JSON.stringify(bad.body.error.details)).toContain('colour');

      // A written-out address the engine would never connect to is refused at once.
      const metadata = await api<ErrorResponse>(a.adminKey, 'POST', '/subscriptions', {
        url: 'http://169.254.169.254/latest/meta-data',
        event_types: ['x'],
      });
      expect(metadata.status).toBe(400);
      expect(metadata.body.error.details).toEqual([
        { path: 'url', message: expect.stringContaining('metadata') },
      ]);

      const missing = await api<ErrorResponse>(a.adminKey, 'POST', '/subscriptions', {});
      expect((missing.body.error.details as { path: string }[]).map((d) => d.path).sort()).toEqual([
        'event_types',
        'url',
      ]);

      const created = await createSubscription(a.adminKey, {
        url: 'https://example.com/v',
        event_types: ['v.*'],
      });
      const patch = await api<ErrorResponse>(
        a.adminKey,
        'PATCH',
        `/subscriptions/${created.subscription_id}`,
        {},
      );
      expect([patch.status, patch.body.error.code]).toEqual([400, 'validation_failed']);
      const badCursor = await api<ErrorResponse>(a.adminKey, 'GET', '/subscriptions?cursor=abc.def');
      expect([badCursor.status, badCursor.body.error.code]).toEqual([400, 'invalid_cursor']);
      const badLimit = await api<ErrorResponse>(a.adminKey, 'GET', '/subscriptions?limit=201');
      expect((badLimit.body.error.details as { path: string }[])[0]?.path).toBe('query.limit');
    });

    it('PATCH changes only what is given; re-enabling clears the reason and the failure window', async () => {
      const created = await createSubscription(a.adminKey, {
        url: 'https://example.com/p',
        event_types: ['p.one'],
        description: 'first',
        enabled: false,
      });
      const id = created.subscription_id;
      expect(created).toMatchObject({ enabled: false, disabled_reason: 'manual' });

      const enabled = await api<SubscriptionResponse>(a.adminKey, 'PATCH', `/subscriptions/${id}`, {
        enabled: true,
        event_types: ['p.one', 'p.two'],
        description: null,
      });
      expect(enabled.status).toBe(200);
      expect(enabled.body).toMatchObject({
        enabled: true,
        event_types: ['p.one', 'p.two'],
        url: 'https://example.com/p',
      });
      expect(enabled.body).not.toHaveProperty('disabled_reason');
      expect(enabled.body).not.toHaveProperty('description');

      // As the engine leaves an endpoint it disabled for failing too long (its own UpdateItem).
      await table.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: { pk: `TENANT#${a.tenantId}`, sk: `SUB#${id}` },
          UpdateExpression: 'SET #enabled = :false, #reason = :failing, #at = :now, #since = :since',
          ExpressionAttributeNames: {
            '#enabled': 'enabled',
            '#reason': 'disabledReason',
            '#at': 'disabledAt',
            '#since': 'failingSince',
          },
          ExpressionAttributeValues: {
            ':false': false,
            ':failing': 'failing',
            ':now': new Date().toISOString(),
            ':since': new Date(Date.now() - 5 * DAY_MS).toISOString(),
          },
        }),
      );
      const disabled = await api<SubscriptionResponse>(a.adminKey, 'GET', `/subscriptions/${id}`);
      expect(disabled.body).toMatchObject({
        enabled: false,
        disabled_reason: 'failing',
        failing_since: expect.any(String),
      });

      const reenabled = await api<SubscriptionResponse>(a.adminKey, 'PATCH', `/subscriptions/${id}`, {
        enabled: true,
      });
      expect(reenabled.body.enabled).toBe(true);
      const { Item } = await table.send(
        new GetCommand({ TableName: TABLE, Key: { pk: `TENANT#${a.tenantId}`, sk: `SUB#${id}` } }),
      );
      expect(Item).toMatchObject({ enabled: true, url: 'https://example.com/p' });
      for (const name of ['disabledReason', 'disabledAt', 'failingSince'])
        expect(Item).not.toHaveProperty(name);
      expect(Item?.secrets).toHaveLength(1);
    });

    it('deletes: then 404, again 404', async () => {
      const created = await createSubscription(a.adminKey, {
        url: 'https://example.com/d',
        event_types: ['d.*'],
      });
      const path = `/subscriptions/${created.subscription_id}`;
      expect((await api(a.adminKey, 'DELETE', path)).status).toBe(204);
      expect((await api(a.adminKey, 'GET', path)).status).toBe(404);
      const again = await api<ErrorResponse>(a.adminKey, 'DELETE', path);
      expect([again.status, again.body.error.code]).toEqual([404, 'not_found']);
    });
  });

  // -------------------------------------------------------------------------------------------------
  describe('tenant isolation', () => {
    it("another tenant's subscriptions, attempts and deliveries are 404, by key and by person", async () => {
      const eventType = `iso.${RUN}`;
      const mine = await createSubscription(a.adminKey, {
        url: receiver.url('/iso'),
        event_types: [eventType],
      });
      const eventId = await publish(eventType, { n: 1 });
      await eventually('the delivery', async () => (receiver.on('/iso').length > 0 ? true : undefined));
      const id = mine.subscription_id;

      for (const token of [b.adminKey, b.personToken]) {
        const attempts = [
          await api(token, 'GET', `/subscriptions/${id}`),
          await api(token, 'PATCH', `/subscriptions/${id}`, { url: 'https://evil.example/' }),
          await api(token, 'POST', `/subscriptions/${id}/rotate-secret`),
          await api(token, 'POST', `/subscriptions/${id}/test`),
          await api(token, 'GET', `/subscriptions/${id}/attempts`),
          await api(token, 'POST', `/subscriptions/${id}/resend/${eventId}`),
          await api(token, 'POST', `/subscriptions/${id}/recover`, { since: '2020-01-01T00:00:00Z' }),
          await api(token, 'GET', `/events/${eventId}/deliveries`),
          await api(token, 'DELETE', `/subscriptions/${id}`),
        ];
        expect(attempts.map((r) => r.status)).toEqual(Array(attempts.length).fill(404));
        const listed = await api<SubscriptionPage>(token, 'GET', '/subscriptions?limit=200');
        expect(listed.body.subscriptions.map((s) => s.subscription_id)).not.toContain(id);
      }
      // Still A's, unchanged, and A's cursor is no good to B.
      const still = await api<SubscriptionResponse>(a.adminKey, 'GET', `/subscriptions/${id}`);
      expect([still.status, still.body.url]).toEqual([200, receiver.url('/iso')]);
      expect(await storedSecrets(a.tenantId, id)).toHaveLength(1);
      const page = await api<SubscriptionPage>(a.adminKey, 'GET', '/subscriptions?limit=1');
      const foreign = await api<ErrorResponse>(
        b.adminKey,
        'GET',
        `/subscriptions?cursor=${encodeURIComponent(page.body.next_cursor ?? '')}`,
      );
      expect([foreign.status, foreign.body.error.code]).toEqual([400, 'invalid_cursor']);
    });
  });

  // -------------------------------------------------------------------------------------------------
  describe('secrets and deliveries', () => {
    it('rotates: a new secret, the old one kept 24 h, deliveries signed by both', async () => {
      const eventType = `rotate.${RUN}`;
      const created = await createSubscription(a.adminKey, {
        url: receiver.url('/rotate'),
        event_types: [eventType],
      });
      const id = created.subscription_id;
      const before = Date.now();
      const rotated = await api<RotatedSecretResponse>(
        a.adminKey,
        'POST',
        `/subscriptions/${id}/rotate-secret`,
      );
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(created.secret);
      const expiresAt = Date.parse(rotated.body.previous_secrets_expire_at ?? '');
      expect(expiresAt).toBeGreaterThanOrEqual(before + DAY_MS - 1000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + DAY_MS);

      const stored = await storedSecrets(a.tenantId, id);
      expect(stored.map((s) => s.secret)).toEqual([rotated.body.secret, created.secret]);
      expect(stored[0]).not.toHaveProperty('expiresAt');
      expect(stored[1]?.expiresAt).toBe(rotated.body.previous_secrets_expire_at);
      expect(JSON.stringify((await api(a.adminKey, 'GET', `/subscriptions/${id}`)).body)).not.toContain(
        'whsec_',
      );

      const payload = { order: 42, note: 'signed twice' };
      const eventId = await publish(eventType, payload);
      const delivery = await eventually('the delivery', async () => receiver.on('/rotate')[0]);
      const signatures = String(delivery.headers['webhook-signature']).split(' ');
      expect(signatures).toHaveLength(2);
      expect(signatures.every((s) => s.startsWith('v1,'))).toBe(true);
      for (const secret of [rotated.body.secret, created.secret]) {
        expect(new Webhook(secret).verify(delivery.body, webhookHeaders(delivery))).toMatchObject({
          type: eventType,
          data: payload,
        });
      }
      expect(() =>
        new Webhook(`whsec_${Buffer.alloc(24, 1).toString('base64')}`).verify(
          delivery.body,
          webhookHeaders(delivery),
        ),
      ).toThrow();

      // The deliveries of the event and the endpoint's attempts show it.
      const deliveries = await eventually('the attempt to be recorded', async () => {
        const r = await deliveriesOf(eventId);
        return r.body.messages?.[0]?.status === 'delivered' ? r : undefined;
      });
      expect(deliveries.body).toMatchObject({ event_id: eventId, event_type: eventType });
      expect(deliveries.body.messages).toEqual([
        expect.objectContaining({
          subscription_id: id,
          webhook_id: delivery.headers['webhook-id'],
          status: 'delivered',
          attempts: [
            expect.objectContaining({
              attempt: 1,
              outcome: 'delivered',
              status_code: 200,
              trigger: 'scheduled',
            }),
          ],
        }),
      ]);
    });

    it('sends a test event, resends one with the same webhook-id, lists attempts newest first', async () => {
      const eventType = `resend.${RUN}`;
      const created = await createSubscription(a.adminKey, {
        url: receiver.url('/resend'),
        event_types: [eventType],
      });
      const id = created.subscription_id;
      const eventId = await publish(eventType, { hello: 'again' });
      const first = await eventually('the delivery', async () => receiver.on('/resend')[0]);

      const resend = await api<RequestedAttemptResponse>(
        a.adminKey,
        'POST',
        `/subscriptions/${id}/resend/${eventId}`,
      );
      expect(resend.status).toBe(202);
      expect(resend.body).toEqual({
        subscription_id: id,
        event_id: eventId,
        webhook_id: first.headers['webhook-id'],
        status: 'requested',
      });
      const second = await eventually('the resent delivery', async () => receiver.on('/resend')[1]);
      expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
      expect(new Webhook(created.secret).verify(second.body, webhookHeaders(second))).toMatchObject({
        data: { hello: 'again' },
      });

      const test = await api<RequestedAttemptResponse>(a.adminKey, 'POST', `/subscriptions/${id}/test`);
      expect(test.status).toBe(202);
      const testDelivery = await eventually('the test event', async () =>
        receiver.on('/resend').find((r) => r.headers['webhook-id'] === test.body.webhook_id),
      );
      expect(
        new Webhook(created.secret).verify(testDelivery.body, webhookHeaders(testDelivery)),
      ).toMatchObject({
        type: 'switchyard.test',
        data: { subscription_id: id },
      });

      const attempts = await eventually('three attempts', async () => {
        const r = await api<AttemptPage>(a.adminKey, 'GET', `/subscriptions/${id}/attempts`);
        return r.body.attempts.length >= 3 ? r.body.attempts : undefined;
      });
      expect(attempts.map((x) => x.trigger)).toEqual(['test', 'resend', 'scheduled']);
      expect(attempts.map((x) => x.attempted_at)).toEqual(
        [...attempts.map((x) => x.attempted_at)].sort().reverse(),
      );
      expect(attempts[1]).toMatchObject({ event_id: eventId, outcome: 'delivered', status_code: 200 });

      // Pages of one, then a tampered cursor.
      const page1 = await api<AttemptPage>(a.adminKey, 'GET', `/subscriptions/${id}/attempts?limit=1`);
      expect(page1.body).toMatchObject({
        has_more: true,
        attempts: [expect.objectContaining({ trigger: 'test' })],
      });
      const cursor = page1.body.next_cursor!;
      const page2 = await api<AttemptPage>(
        a.adminKey,
        'GET',
        `/subscriptions/${id}/attempts?limit=1&cursor=${encodeURIComponent(cursor)}`,
      );
      expect(page2.body.attempts[0]?.trigger).toBe('resend');
      const tampered = `${cursor.slice(0, 3)}${cursor[3] === 'A' ? 'B' : 'A'}${cursor.slice(4)}`;
      const refused = await api<ErrorResponse>(
        a.adminKey,
        'GET',
        `/subscriptions/${id}/attempts?cursor=${encodeURIComponent(tampered)}`,
      );
      expect([refused.status, refused.body.error.code]).toEqual([400, 'invalid_cursor']);

      // An event that was not for this subscription cannot be resent to it.
      expect((await api(a.adminKey, 'POST', `/subscriptions/${id}/resend/evt_unknown`)).status).toBe(404);
    });

    it('holds messages for a disabled endpoint and recovers them once re-enabled', async () => {
      const eventType = `recover.${RUN}`;
      const created = await createSubscription(a.adminKey, {
        url: receiver.url('/recover'),
        event_types: [eventType],
      });
      const id = created.subscription_id;
      const since = new Date(Date.now() - 1000).toISOString();
      expect((await api(a.adminKey, 'PATCH', `/subscriptions/${id}`, { enabled: false })).status).toBe(200);

      const eventId = await publish(eventType, { kept: true });
      await eventually('the held message', async () => {
        const r = await deliveriesOf(eventId);
        return r.status === 200 && r.body.messages[0]?.status === 'held' ? true : undefined;
      });
      expect(receiver.on('/recover')).toHaveLength(0);
      const refused = await api<ErrorResponse>(a.adminKey, 'POST', `/subscriptions/${id}/resend/${eventId}`);
      expect([refused.status, refused.body.error.code]).toEqual([409, 'endpoint_disabled']);
      const refusedRecover = await api<ErrorResponse>(a.adminKey, 'POST', `/subscriptions/${id}/recover`, {
        since,
      });
      expect(refusedRecover.status).toBe(409);

      expect((await api(a.adminKey, 'PATCH', `/subscriptions/${id}`, { enabled: true })).status).toBe(200);
      const future = await api<ErrorResponse>(a.adminKey, 'POST', `/subscriptions/${id}/recover`, {
        since: new Date(Date.now() + 60_000).toISOString(),
      });
      expect((future.body.error.details as { path: string }[])[0]?.path).toBe('since');
      const recovered = await api<RecoverResponse>(a.adminKey, 'POST', `/subscriptions/${id}/recover`, {
        since,
      });
      expect(recovered.status).toBe(202);
      expect(recovered.body).toEqual({
        subscription_id: id,
        requested: 1,
        has_more: false,
        next_cursor: null,
      });

      const delivery = await eventually('the recovered delivery', async () => receiver.on('/recover')[0]);
      expect(new Webhook(created.secret).verify(delivery.body, webhookHeaders(delivery))).toMatchObject({
        data: { kept: true },
      });
      const attempts = await eventually('the recover attempt', async () => {
        const r = await api<AttemptPage>(a.adminKey, 'GET', `/subscriptions/${id}/attempts`);
        return r.body.attempts.length > 0 ? r.body.attempts : undefined;
      });
      expect(attempts[0]).toMatchObject({ event_id: eventId, trigger: 'recover', outcome: 'delivered' });
      // Nothing left to recover.
      const again = await api<RecoverResponse>(a.adminKey, 'POST', `/subscriptions/${id}/recover`, { since });
      await eventually('the message to be delivered', async () =>
        (await deliveriesOf(eventId)).body.messages[0]?.status === 'delivered' ? true : undefined,
      );
      expect(again.status).toBe(202);
    });
  });

  it('serves the OpenAPI document without authentication', async () => {
    const response = await bearerRequest<{ openapi: string; paths: Record<string, unknown> }>(
      cloud,
      undefined,
      'GET',
      '/delivery/openapi.json',
    );
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    expect(Object.keys(response.body.paths)).toEqual(
      expect.arrayContaining(['/subscriptions', '/subscriptions/{id}/recover', '/events/{id}/deliveries']),
    );
  });
});
