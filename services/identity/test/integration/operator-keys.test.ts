// Operator API keys against the real local cloud: any tenant's keys, created, listed, revoked and
// revoked by e-mail through the IAM-authorised routes the CLI calls, and the events they publish.
import type { BusTap, RunningLocalCloud } from '@switchyard/local-cloud';
import type { ErrorResponse, KeyList, KeyView } from './support/identity-api';
import { bearerRequest, createTenant, signedRequest, uniqueEmail } from './support/identity-api';
import type { TestTenant, TwoTenantCloud } from './support/identity-cloud';
import { keyEventsBefore, startWithTwoTenants, stopIdentityCloud } from './support/identity-cloud';

type Created = { apiKey: KeyView & { key: string } };

/** Who the local gateway says signed a request with the local credentials. */
const LOCAL_OPERATOR_ARN = 'arn:aws:iam::000000000000:user/local-operator';
/** A well-formed tenant id that names no tenant. */
const UNKNOWN_TENANT = 'ten_01JZZZZZZZZZZZZZZZZZZZZZZZ';

describe('operator API keys', () => {
  let cloud: RunningLocalCloud;
  let started: TwoTenantCloud;
  let bus: BusTap;
  let tenantA: TestTenant;
  let tenantB: TestTenant;

  const operator = <T = unknown>(method: string, path: string, body?: unknown) =>
    signedRequest<T>(cloud, method, path, body);

  const createKey = async (tenantId: string, body: Record<string, unknown>) => {
    const response = await operator<Created>('POST', `/operator/tenants/${tenantId}/keys`, body);
    if (response.status !== 201)
      throw new Error(`create key: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.apiKey;
  };

  const keysStatus = async (key: string) => (await bearerRequest(cloud, key, 'GET', '/keys?limit=1')).status;

  beforeAll(async () => {
    started = await startWithTwoTenants();
    ({ cloud, bus, tenantA, tenantB } = started);
  });

  afterAll(() => stopIdentityCloud(started));

  it("creates a key for any tenant, the same answer as POST /keys, with the operator's ARN as creator", async () => {
    const owner = uniqueEmail('Producer');
    const expiresAt = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString();
    const key = await createKey(tenantA.tenantId, {
      role: 'admin',
      ownerEmail: owner.toUpperCase(),
      description: 'from the operator',
      expiresAt,
    });

    expect(key).toMatchObject({
      tenantId: tenantA.tenantId,
      role: 'admin',
      status: 'active',
      environment: 'test',
      ownerEmail: owner.toLowerCase(),
      name: 'from the operator',
      createdBy: LOCAL_OPERATOR_ARN,
      expiresAt,
      display: `sy_test_${key.keyId}_…`,
    });
    expect(key.key).toMatch(new RegExp(`^sy_test_${key.keyId}_[A-Za-z0-9_-]{43}$`));
    expect(key).not.toHaveProperty('secretHash');

    // It is tenant A's admin key: it manages tenant A's keys, and only those.
    const listed = await bearerRequest<KeyList>(cloud, key.key, 'GET', '/keys?limit=100');
    expect(listed.status).toBe(200);
    expect(new Set(listed.body.items.map((k) => k.tenantId))).toEqual(new Set([tenantA.tenantId]));

    const seen = await bus.take((events) =>
      events.some((e) => e['detail-type'] === 'ApiKeyCreated' && e.detail.keyId === key.keyId),
    );
    const event = seen.find((e) => e['detail-type'] === 'ApiKeyCreated' && e.detail.keyId === key.keyId)!;
    expect(event.detail).toMatchObject({
      tenantId: tenantA.tenantId,
      role: 'admin',
      createdBy: LOCAL_OPERATOR_ARN,
      ownerEmail: owner.toLowerCase(),
    });
    expect(JSON.stringify(event)).not.toContain(key.key.split('_').slice(3).join('_'));
  });

  it('answers 404 for an unknown or malformed tenant and 400 for bad input', async () => {
    for (const tenantId of [UNKNOWN_TENANT, 'not-a-tenant']) {
      const created = await operator<ErrorResponse>('POST', `/operator/tenants/${tenantId}/keys`, {
        role: 'viewer',
      });
      expect(created.status).toBe(404);
      expect(created.body.error).toMatchObject({ code: 'not_found', correlationId: expect.any(String) });
      const listed = await operator<ErrorResponse>('GET', `/operator/tenants/${tenantId}/keys`);
      expect(listed.status).toBe(404);
      expect(listed.body.error.code).toBe('not_found');
    }

    const bad = await operator<ErrorResponse>('POST', `/operator/tenants/${tenantA.tenantId}/keys`, {
      role: 'owner',
      ownerEmail: 'nope',
      extra: true,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((bad.body.error.details ?? []).map((d) => d.path).sort()).toEqual(['', 'ownerEmail', 'role']);

    const past = await operator<ErrorResponse>('POST', `/operator/tenants/${tenantA.tenantId}/keys`, {
      role: 'viewer',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.status).toBe(400);
    expect(past.body.error.details).toEqual([{ path: 'expiresAt', message: 'must be in the future' }]);

    const badLimit = await operator<ErrorResponse>(
      'GET',
      `/operator/tenants/${tenantA.tenantId}/keys?limit=0`,
    );
    expect(badLimit.status).toBe(400);
  });

  it("lists a tenant's keys page by page, newest first, never the secret", async () => {
    const tenant = await createTenant(cloud, 'Paged');
    const made: string[] = [tenant.body.apiKey.keyId];
    for (const role of ['viewer', 'creator'] as const)
      made.push((await createKey(tenant.tenantId, { role })).keyId);

    const seen: KeyView[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await operator<KeyList>(
        'GET',
        `/operator/tenants/${tenant.tenantId}/keys?limit=1${query}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      expect(JSON.stringify(page.body)).not.toContain('secretHash');
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);

    expect(seen.map((k) => k.keyId)).toEqual([...made].reverse());
    for (const key of seen) expect(key).not.toHaveProperty('key');

    // The cursor is bound to its tenant: replayed for another tenant it is a 400.
    const first = await operator<KeyList>('GET', `/operator/tenants/${tenant.tenantId}/keys?limit=1`);
    const replay = await operator<ErrorResponse>(
      'GET',
      `/operator/tenants/${tenantB.tenantId}/keys?cursor=${encodeURIComponent(first.body.nextCursor!)}`,
    );
    expect(replay.status).toBe(400);
    expect(replay.body.error.code).toBe('invalid_cursor');
  });

  it('revokes any key: refused at once, a repeat is a 204 without a second ApiKeyRevoked, unknown is 404', async () => {
    const key = await createKey(tenantB.tenantId, { role: 'admin' });
    expect(await keysStatus(key.key)).toBe(200);

    const revoked = await operator('DELETE', `/operator/keys/${key.keyId}`);
    expect(revoked.status).toBe(204);
    expect(revoked.body).toBeUndefined();
    expect(await keysStatus(key.key)).toBe(401); // the very first request after the 204

    const again = await operator('DELETE', `/operator/keys/${key.keyId}`);
    expect(again.status).toBe(204);

    for (const keyId of ['0'.repeat(20), 'not-a-key-id']) {
      const missing = await operator<ErrorResponse>('DELETE', `/operator/keys/${keyId}`);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toMatchObject({
        code: 'not_found',
        message: expect.any(String),
        correlationId: expect.any(String),
      });
    }

    const listed = await operator<KeyList>('GET', `/operator/tenants/${tenantB.tenantId}/keys?limit=100`);
    expect(listed.body.items.find((k) => k.keyId === key.keyId)).toMatchObject({
      status: 'revoked',
      revokedAt: expect.any(String),
    });

    // A marker written after both DELETEs: once its event is through, a second revocation would be too.
    const marker = await createKey(tenantB.tenantId, { role: 'viewer', description: 'marker' });
    const revocations = await keyEventsBefore(bus, marker.keyId, 'ApiKeyRevoked', key.keyId);
    expect(revocations).toHaveLength(1);
    expect(revocations[0]!.detail).toMatchObject({
      tenantId: tenantB.tenantId,
      revokedBy: LOCAL_OPERATOR_ARN,
    });
  });

  it('revokes every key of an e-mail in every tenant, or in one tenant only', async () => {
    const person = uniqueEmail('leaver');
    const a1 = await createKey(tenantA.tenantId, { role: 'creator', ownerEmail: person });
    const a2 = await createKey(tenantA.tenantId, { role: 'admin', ownerEmail: person });
    const b1 = await createKey(tenantB.tenantId, { role: 'admin', ownerEmail: person });
    const other = await createKey(tenantA.tenantId, { role: 'admin', ownerEmail: uniqueEmail('stayer') });

    const onlyB = await operator<{ revoked: string[] }>('POST', '/operator/keys/revoke-by-email', {
      email: person.toUpperCase(),
      tenantId: tenantB.tenantId,
    });
    expect(onlyB.status).toBe(200);
    expect(onlyB.body.revoked).toEqual([b1.keyId]);
    expect(await keysStatus(b1.key)).toBe(401);
    expect(await keysStatus(a2.key)).toBe(200);

    const everywhere = await operator<{ revoked: string[] }>('POST', '/operator/keys/revoke-by-email', {
      email: person,
    });
    expect(everywhere.status).toBe(200);
    expect(everywhere.body.revoked.sort()).toEqual([a1.keyId, a2.keyId].sort());
    expect(await keysStatus(a2.key)).toBe(401);
    expect(await keysStatus(other.key)).toBe(200);

    const repeat = await operator<{ revoked: string[] }>('POST', '/operator/keys/revoke-by-email', {
      email: person,
    });
    expect(repeat.body.revoked).toEqual([]);

    const unknownTenant = await operator<ErrorResponse>('POST', '/operator/keys/revoke-by-email', {
      email: person,
      tenantId: UNKNOWN_TENANT,
    });
    expect(unknownTenant.status).toBe(404);
    const bad = await operator<ErrorResponse>('POST', '/operator/keys/revoke-by-email', { email: 'nope' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details?.map((d) => d.path)).toEqual(['email']);

    const seen = await bus.take(
      (events) =>
        events.filter(
          (e) => e['detail-type'] === 'ApiKeyRevoked' && [a1, a2, b1].some((k) => k.keyId === e.detail.keyId),
        ).length >= 3,
    );
    const revokedBy = seen
      .filter(
        (e) => e['detail-type'] === 'ApiKeyRevoked' && [a1, a2, b1].some((k) => k.keyId === e.detail.keyId),
      )
      .map((e) => e.detail.revokedBy);
    expect(revokedBy).toEqual([LOCAL_OPERATOR_ARN, LOCAL_OPERATOR_ARN, LOCAL_OPERATOR_ARN]);
  });

  it('refuses unsigned requests and tenant admin keys on every operator key route', async () => {
    const victim = await createKey(tenantA.tenantId, { role: 'viewer', ownerEmail: uniqueEmail('victim') });
    const routes: [string, string, unknown?][] = [
      ['POST', `/operator/tenants/${tenantA.tenantId}/keys`, { role: 'admin' }],
      ['GET', `/operator/tenants/${tenantA.tenantId}/keys`],
      ['DELETE', `/operator/keys/${victim.keyId}`],
      ['POST', '/operator/keys/revoke-by-email', { email: victim.ownerEmail }],
    ];
    for (const [method, path, body] of routes) {
      expect((await bearerRequest(cloud, undefined, method, path, body)).status).toBe(403);
      expect((await bearerRequest(cloud, tenantA.adminKey, method, path, body)).status).toBe(403);
    }
    // Nothing was created or revoked: the viewer key is still active (authenticated, not an admin: 403).
    expect(await keysStatus(victim.key)).toBe(403);
    const listed = await operator<KeyList>('GET', `/operator/tenants/${tenantA.tenantId}/keys?limit=100`);
    expect(listed.body.items.find((k) => k.keyId === victim.keyId)?.status).toBe('active');
  });
});
