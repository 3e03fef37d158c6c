// e2e, black-box through HTTP with the typed client generated from ingest's OpenAPI document: the
// demo tenant's admin creates keys through identity; a producer publishes, a consumer finds the event
// in its inbox, reads it, acknowledges it, and it leaves the inbox; another tenant cannot see it;
// /status and /openapi.json answer without a key.
import { setTimeout as sleep } from 'node:timers/promises';
import { NEGATIVE_CACHE_TTL_MS } from '@switchyard/access';
import { LOCAL_CREDENTIALS, OperatorApi } from '@switchyard/cli/src/api';
import { startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import { IngestClient } from './client';

let cloud: RunningLocalCloud;
let ingest: IngestClient;

/** A key made by a tenant admin through identity's public API. */
async function createKey(adminKey: string, role: 'viewer' | 'creator' | 'admin'): Promise<string> {
  const response = await fetch(new URL('/keys', cloud.apiUrl), {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ role, description: `e2e ${role}` }),
  });
  const body = (await response.json()) as { apiKey: { key: string } };
  if (response.status !== 201) throw new Error(`create key: ${response.status} ${JSON.stringify(body)}`);
  return body.apiKey.key;
}

/** Keys travel to ingest as identity's events: wait until ingest knows the key. */
async function untilIngestKnows(key: string): Promise<void> {
  const client = ingest.withKey(key);
  const deadline = Date.now() + 30_000;
  while ((await client.listInbox({ limit: 1 })).status === 401) {
    if (Date.now() > deadline) throw new Error('ingest never learnt the key');
    await sleep(250);
  }
  // Another instance may have cached the key as unknown while we polled: wait out that bound.
  await sleep(NEGATIVE_CACHE_TTL_MS + 100);
}

beforeAll(async () => {
  cloud = await startLocalCloud({ services: ['identity', 'ingest'] });
  ingest = new IngestClient({ baseUrl: cloud.apiUrl });
});

afterAll(async () => {
  await cloud?.stop();
});

describe('ingest, from the outside', () => {
  it('publishes, lists, reads and acknowledges an event; other tenants never see it', async () => {
    const demoAdmin = cloud.apiKey as string;
    expect(demoAdmin).toEqual(expect.any(String));
    const [producerKey, consumerKey] = await Promise.all([
      createKey(demoAdmin, 'creator'),
      createKey(demoAdmin, 'viewer'),
    ]);
    const operator = new OperatorApi({
      baseUrl: cloud.apiUrl,
      region: cloud.region,
      credentials: LOCAL_CREDENTIALS,
    });
    const other = await operator.request<{ apiKey: { key: string } }>('POST', '/operator/tenants', {
      body: { name: 'Other', adminEmail: `other-${Date.now().toString(36)}@example.com` },
    });
    await Promise.all([demoAdmin, producerKey, consumerKey, other.apiKey.key].map(untilIngestKnows));
    const producer = ingest.withKey(producerKey);
    const consumer = ingest.withKey(consumerKey);
    const stranger = ingest.withKey(other.apiKey.key);

    // Publish.
    const published = await producer.publishEvent(
      { event_type: 'order.placed', payload: { orderId: 'o-1', total: 42 }, source: 'shop' },
      { 'Idempotency-Key': `e2e-${Date.now()}` },
    );
    if (published.status !== 202)
      throw new Error(`publish: ${published.status} ${JSON.stringify(published.body)}`);
    expect(published.body).toMatchObject({
      status: 'accepted',
      event_type: 'order.placed',
      duplicate: false,
    });
    const eventId = published.body.event_id;

    // A viewer may not publish.
    expect((await consumer.publishEvent({ event_type: 'x', payload: {} })).status).toBe(403);

    // It is in the consumer's inbox.
    const inbox = await consumer.listInbox({ limit: 200 });
    if (inbox.status !== 200) throw new Error(`inbox: ${inbox.status}`);
    expect(inbox.body.events.map((e) => e.event_id)).toContain(eventId);

    // Read it.
    const read = await consumer.getEvent(eventId);
    if (read.status !== 200) throw new Error(`get: ${read.status}`);
    expect(read.body).toMatchObject({
      event_id: eventId,
      event_type: 'order.placed',
      source: 'shop',
      payload: { orderId: 'o-1', total: 42 },
      delivered: false,
      received_at: published.body.received_at,
    });

    // Another tenant cannot see, acknowledge or list it.
    const foreign = await stranger.getEvent(eventId);
    expect(foreign.status).toBe(404);
    if (foreign.status === 404) expect(foreign.body.error.code).toBe('not_found');
    expect((await stranger.acknowledgeEvent(eventId)).status).toBe(404);
    const strangerInbox = await stranger.listInbox();
    if (strangerInbox.status !== 200) throw new Error(`stranger inbox: ${strangerInbox.status}`);
    expect(strangerInbox.body.events.map((e) => e.event_id)).not.toContain(eventId);

    // Acknowledge (twice: idempotent); it leaves the inbox.
    expect((await consumer.acknowledgeEvent(eventId)).status).toBe(204);
    expect((await consumer.acknowledgeEvent(eventId)).status).toBe(204);
    const after = await consumer.listInbox({ limit: 200 });
    if (after.status !== 200) throw new Error(`inbox: ${after.status}`);
    expect(after.body.events.map((e) => e.event_id)).not.toContain(eventId);
    const delivered = await consumer.getEvent(eventId);
    expect(delivered.status === 200 && delivered.body.delivered).toBe(true);
  });

  it('answers /status and serves the OpenAPI document without a key', async () => {
    const status = await ingest.getStatus();
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ status: 'ok', dependencies: { dynamodb: 'ok' } });

    const document = await ingest.getOpenApiDocument();
    expect(document.status).toBe(200);
    expect(document.body).toMatchObject({
      openapi: '3.1.0',
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } } },
    });
    expect(Object.keys((document.body as { paths: object }).paths)).toEqual(
      expect.arrayContaining(['/events', '/inbox', '/events/{id}', '/status']),
    );
  });
});
