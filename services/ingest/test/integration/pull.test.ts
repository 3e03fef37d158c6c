// The pull API against the real local cloud (identity issues the keys, ingest projects them):
// pagination across pages, signed cursors, limit bounds, leases (hidden, then visible after expiry
// or release), acknowledgement idempotency and tenant isolation; plus /status and /openapi.json.
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import type { ErrorResponse, EventView, InboxPage } from './support/pull-api';
import {
  createKey,
  createTenant,
  listAll,
  publishMany,
  request,
  untilAuthenticated,
} from './support/pull-api';

const events = (n: number, label: string) =>
  Array.from({ length: n }, (_, i) => ({ event_type: `test.${label}`, payload: { i, label } }));

/** Oldest first, as the inbox index orders them. */
const byInboxOrder = (a: EventView, b: EventView) =>
  `${a.received_at}#${a.event_id}` < `${b.received_at}#${b.event_id}` ? -1 : 1;

describe('pull API', () => {
  let cloud: RunningLocalCloud;
  let a: { tenantId: string; adminKey: string; viewerKey: string };
  let b: { tenantId: string; adminKey: string };

  const api = <T = unknown>(key: string | undefined, method: string, path: string, body?: unknown) =>
    request<T>(cloud, key, method, path, body);

  beforeAll(async () => {
    cloud = await startLocalCloud({ services: ['identity', 'ingest'] });
    const [tenantA, tenantB] = await Promise.all([
      createTenant(cloud, 'Pull A'),
      createTenant(cloud, 'Pull B'),
    ]);
    const viewerKey = await createKey(cloud, tenantA.adminKey, 'viewer');
    await Promise.all(
      [tenantA.adminKey, tenantB.adminKey, viewerKey].map((key) => untilAuthenticated(cloud, key)),
    );
    a = { ...tenantA, viewerKey };
    b = tenantB;
  });

  afterAll(async () => {
    await cloud?.stop();
  });

  // Each test drains what it published, so the next starts from an empty inbox.
  afterEach(async () => {
    for (const tenant of [a, b]) {
      if (!tenant) continue;
      for (const event of await listAll(cloud, tenant.adminKey)) {
        await api(tenant.adminKey, 'DELETE', `/events/${event.event_id}`);
      }
    }
  });

  it('pages through the inbox oldest first with signed cursors', async () => {
    const ids = await publishMany(cloud, a.adminKey, events(7, 'paging'));
    const pages: InboxPage[] = [];
    let cursor: string | null = null;
    do {
      const path: string = `/inbox?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await api<InboxPage>(a.viewerKey, 'GET', path);
      expect(page.status).toBe(200);
      pages.push(page.body);
      cursor = page.body.next_cursor;
    } while (cursor && pages.length < 10);

    expect(pages.map((p) => p.events.length)).toEqual([3, 3, 1]);
    expect(pages.map((p) => p.has_more)).toEqual([true, true, false]);
    expect(pages[2]?.next_cursor).toBeNull();
    const listed = pages.flatMap((p) => p.events);
    expect(new Set(listed.map((e) => e.event_id))).toEqual(new Set(ids));
    expect(listed).toEqual([...listed].sort(byInboxOrder));
    expect(listed[0]).toMatchObject({ event_type: 'test.paging', source: 'api', delivered: false });
    expect(listed[0]).not.toHaveProperty('lease');

    // The default page holds them all.
    const all = await api<InboxPage>(a.adminKey, 'GET', '/inbox');
    expect(all.body.events.map((e) => e.event_id)).toEqual(listed.map((e) => e.event_id));
    expect(all.body).toMatchObject({ has_more: false, next_cursor: null });
  });

  it('answers a tampered, malformed or foreign cursor with 400 invalid_cursor', async () => {
    await publishMany(cloud, a.adminKey, events(3, 'cursor'));
    const first = await api<InboxPage>(a.adminKey, 'GET', '/inbox?limit=1');
    const cursor = first.body.next_cursor as string;
    expect(cursor).toEqual(expect.any(String));

    const flip = (text: string, at: number) =>
      text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1);
    const [payload, mac] = cursor.split('.') as [string, string];
    const forged = Buffer.from(
      JSON.stringify({ v: 1, after: { receivedAt: '1970-01-01T00:00:00.000Z', eventId: '0' } }),
    ).toString('base64url');
    const bad = [
      flip(cursor, 2),
      flip(cursor, cursor.length - 2),
      `${forged}.${mac}`,
      `${payload}`,
      'not-a-cursor',
      `${payload}.${mac}.x`,
    ];
    for (const value of bad) {
      const response = await api<ErrorResponse>(
        a.adminKey,
        'GET',
        `/inbox?cursor=${encodeURIComponent(value)}`,
      );
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('invalid_cursor');
      expect(response.body.error.correlationId).toEqual(expect.any(String));
    }
    // Minted for tenant A: tenant B cannot replay it.
    const foreign = await api<ErrorResponse>(
      b.adminKey,
      'GET',
      `/inbox?cursor=${encodeURIComponent(cursor)}`,
    );
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.code).toBe('invalid_cursor');
    // The genuine one still works.
    const next = await api<InboxPage>(
      a.adminKey,
      'GET',
      `/inbox?limit=1&cursor=${encodeURIComponent(cursor)}`,
    );
    expect(next.status).toBe(200);
    expect(next.body.events).toHaveLength(1);
  });

  it('validates limit and lease_seconds with field details', async () => {
    for (const query of [
      'limit=0',
      'limit=201',
      'limit=abc',
      'limit=2.5',
      'lease_seconds=0',
      'lease_seconds=43201',
      'color=red',
    ]) {
      const response = await api<ErrorResponse>(a.adminKey, 'GET', `/inbox?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      // `query.limit`, or for an unknown parameter `query` with a message naming it.
      expect(JSON.stringify(response.body.error.details)).toContain(query.split('=')[0]);
    }
    expect((await api(a.adminKey, 'GET', '/inbox?limit=200')).status).toBe(200);
    expect((await api(a.adminKey, 'GET', '/inbox?limit=1')).status).toBe(200);
  });

  it('hides leased events until the lease ends', async () => {
    const ids = await publishMany(cloud, a.adminKey, events(2, 'lease'));
    const leased = await api<InboxPage>(a.adminKey, 'GET', '/inbox?lease_seconds=1');
    expect(leased.status).toBe(200);
    expect(leased.body.events.map((e) => e.event_id).sort()).toEqual([...ids].sort());
    for (const event of leased.body.events) {
      expect(event.lease).toEqual({ token: expect.any(String), expires_at: expect.any(String) });
    }
    expect(new Set(leased.body.events.map((e) => e.lease?.token)).size).toBe(2);

    const during = await api<InboxPage>(a.adminKey, 'GET', '/inbox');
    expect(during.body.events).toEqual([]);
    await sleep(1300);
    const after = await api<InboxPage>(a.adminKey, 'GET', '/inbox');
    expect(after.body.events.map((e) => e.event_id).sort()).toEqual([...ids].sort());
  });

  it('releases a lease only with its token', async () => {
    const [id] = await publishMany(cloud, a.adminKey, events(1, 'release'));
    const leased = await api<InboxPage>(a.adminKey, 'GET', '/inbox?lease_seconds=600');
    const token = leased.body.events[0]?.lease?.token as string;
    expect(token).toEqual(expect.any(String));

    const wrong = await api<ErrorResponse>(a.adminKey, 'POST', `/events/${id}/release`, {
      lease_token: 'not-mine',
    });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.code).toBe('lease_mismatch');
    expect((await api<InboxPage>(a.adminKey, 'GET', '/inbox')).body.events).toEqual([]);
    // GET /events/{id} still shows a leased event and until when, but not the token: only the
    // listing that took the lease may release it.
    const one = await api<EventView>(a.adminKey, 'GET', `/events/${id}`);
    expect(one.body.lease).toEqual({ expires_at: expect.any(String) });
    expect(JSON.stringify(one.body)).not.toContain(token);

    const missingToken = await api<ErrorResponse>(a.adminKey, 'POST', `/events/${id}/release`, {});
    expect(missingToken.status).toBe(400);
    expect(missingToken.body.error.details).toEqual([expect.objectContaining({ path: 'lease_token' })]);

    const right = await api(a.adminKey, 'POST', `/events/${id}/release`, { lease_token: token });
    expect(right.status).toBe(204);
    const visible = await api<InboxPage>(a.adminKey, 'GET', '/inbox');
    expect(visible.body.events.map((e) => e.event_id)).toEqual([id]);
    expect(visible.body.events[0]).not.toHaveProperty('lease');
    // Released already: nothing to release, still 204.
    expect((await api(a.adminKey, 'POST', `/events/${id}/release`, { lease_token: token })).status).toBe(204);
  });

  it('acknowledges idempotently; the event leaves the inbox, even while leased', async () => {
    const [first, second] = (await publishMany(cloud, a.adminKey, events(2, 'ack'))) as [string, string];
    const leased = await api<InboxPage>(a.adminKey, 'GET', '/inbox?limit=200&lease_seconds=600');
    const token = leased.body.events.find((e) => e.event_id === second)?.lease?.token as string;

    // A viewer may acknowledge.
    expect((await api(a.viewerKey, 'DELETE', `/events/${first}`)).status).toBe(204);
    expect((await api(a.viewerKey, 'DELETE', `/events/${first}`)).status).toBe(204);
    // Acknowledging a leased event works whoever holds the lease.
    expect((await api(a.adminKey, 'DELETE', `/events/${second}`)).status).toBe(204);

    const shown = await api<EventView>(a.adminKey, 'GET', `/events/${second}`);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ event_id: second, delivered: true });
    expect(shown.body).not.toHaveProperty('lease');

    const released = await api<ErrorResponse>(a.adminKey, 'POST', `/events/${second}/release`, {
      lease_token: token,
    });
    expect(released.status).toBe(409);
    expect(released.body.error.code).toBe('already_acknowledged');

    const ids = (await listAll(cloud, a.adminKey)).map((e) => e.event_id);
    expect(ids).not.toContain(first);
    expect(ids).not.toContain(second);
  });

  it("answers another tenant's event like a missing one (404)", async () => {
    const [id] = (await publishMany(cloud, a.adminKey, events(1, 'isolation'))) as [string];
    const asB = [
      await api<ErrorResponse>(b.adminKey, 'GET', `/events/${id}`),
      await api<ErrorResponse>(b.adminKey, 'DELETE', `/events/${id}`),
      await api<ErrorResponse>(b.adminKey, 'POST', `/events/${id}/release`, { lease_token: 'x' }),
      await api<ErrorResponse>(a.adminKey, 'GET', '/events/01NOSUCHEVENT0000000000000'),
      await api<ErrorResponse>(a.adminKey, 'DELETE', '/events/01NOSUCHEVENT0000000000000'),
    ];
    for (const response of asB) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }
    expect((await listAll(cloud, b.adminKey)).map((e) => e.event_id)).not.toContain(id);
    // Still undelivered for its owner.
    const own = await api<EventView>(a.adminKey, 'GET', `/events/${id}`);
    expect(own.body).toMatchObject({ event_id: id, delivered: false, payload: { i: 0, label: 'isolation' } });
  });

  it('needs a valid API key on every pull route', async () => {
    for (const [method, path] of [
      ['GET', '/inbox'],
      ['GET', '/events/x'],
      ['DELETE', '/events/x'],
      ['POST', '/events/x/release'],
    ] as const) {
      const body = method === 'POST' ? { lease_token: 'x' } : undefined;
      const none = await api<ErrorResponse>(undefined, method, path, body);
      expect(none.status).toBe(401);
      const garbage = await api<ErrorResponse>('sy_test_garbage', method, path, body);
      expect(garbage.status).toBe(401);
      expect(garbage.body.error.code).toBe('unauthorized');
    }
    // Credentials are checked before the request's shape: no key and a bad query is still a 401.
    const badQuery = await api<ErrorResponse>(undefined, 'GET', '/inbox?limit=999&nope=1');
    expect(badQuery.status).toBe(401);
    const badBody = await api<ErrorResponse>(undefined, 'POST', '/events/x/release', { wrong: true });
    expect(badBody.status).toBe(401);
  });

  it('serves /status and /openapi.json without authentication', async () => {
    const status = await api<{
      status: string;
      version: string;
      uptimeSeconds: number;
      dependencies: object;
    }>(undefined, 'GET', '/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      dependencies: { dynamodb: 'ok' },
    });
    expect(status.body.uptimeSeconds).toBeGreaterThanOrEqual(0);

    const document = await api<{ openapi: string; paths: Record<string, unknown> }>(
      undefined,
      'GET',
      '/openapi.json',
    );
    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe('3.1.0');
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining([
        '/events',
        '/events/batch',
        '/inbox',
        '/events/{id}',
        '/events/{id}/release',
        '/status',
      ]),
    );
  });
});
