// The operator tenant API against the real local cloud: HTTP in, DynamoDB Local, the table's stream,
// the outbox publisher and the bus out.
import { createHash } from 'node:crypto';
import type { BusTap, RunningLocalCloud } from '@switchyard/local-cloud';
import type { CreatedTenantResponse, ErrorResponse, KeyList, TenantView } from './support/identity-api';
import { bearerRequest, createTenant, signedRequest, uniqueEmail } from './support/identity-api';
import type { IdentityCloud } from './support/identity-cloud';
import { startIdentityCloud, stopIdentityCloud } from './support/identity-cloud';

describe('operator tenant API', () => {
  let cloud: RunningLocalCloud;
  let started: IdentityCloud;
  let bus: BusTap;

  beforeAll(async () => {
    started = await startIdentityCloud();
    ({ cloud, bus } = started);
  });

  afterAll(() => stopIdentityCloud(started));

  it('creates a tenant with its admin user and a first admin key that works at once', async () => {
    const adminEmail = uniqueEmail('Founder');
    const created = await signedRequest<CreatedTenantResponse>(cloud, 'POST', '/operator/tenants', {
      name: '  Acme Corp  ',
      adminEmail: `  ${adminEmail.toUpperCase()} `,
    });

    expect(created.status).toBe(201);
    const { tenant, adminUser, apiKey } = created.body;
    expect(tenant).toMatchObject({ name: 'Acme Corp', status: 'active', adminUserId: adminUser.userId });
    expect(tenant.tenantId).toMatch(/^ten_[0-9A-Z]{26}$/);
    expect(adminUser).toMatchObject({
      tenantId: tenant.tenantId,
      email: adminEmail.toLowerCase(),
      role: 'admin',
    });
    expect(adminUser.groups).toEqual(['Admins']);
    expect(apiKey).toMatchObject({ role: 'admin', status: 'active', tenantId: tenant.tenantId });
    expect(apiKey.key).toMatch(new RegExp(`^sy_test_${apiKey.keyId}_[A-Za-z0-9_-]{43}$`));
    expect(JSON.stringify(created.body)).not.toContain('secretHash');

    const keys = await bearerRequest<KeyList>(cloud, apiKey.key, 'GET', '/keys');
    expect(keys.status).toBe(200);
    expect(keys.body.items.map((k) => k.keyId)).toEqual([apiKey.keyId]);
  });

  it('reads a tenant back by id, and answers 404 for an unknown or malformed id', async () => {
    const { tenantId } = await createTenant(cloud, 'Readable');

    const found = await signedRequest<{ tenant: TenantView }>(cloud, 'GET', `/operator/tenants/${tenantId}`);
    expect(found.status).toBe(200);
    expect(found.body.tenant).toMatchObject({ tenantId, name: 'Readable', status: 'active' });

    const unknown = await signedRequest<ErrorResponse>(
      cloud,
      'GET',
      `/operator/tenants/${tenantId.slice(0, -4)}ZZZZ`,
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect(unknown.body.error.correlationId).toEqual(expect.any(String));

    const malformed = await signedRequest<ErrorResponse>(cloud, 'GET', '/operator/tenants/not-a-tenant');
    expect(malformed.status).toBe(404);
  });

  it('refuses a second tenant for an e-mail that already belongs to a user (409), whatever its case', async () => {
    const { adminEmail } = await createTenant(cloud, 'First');

    const again = await signedRequest<ErrorResponse>(cloud, 'POST', '/operator/tenants', {
      name: 'Second',
      adminEmail: adminEmail.toUpperCase(),
    });

    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('email_taken');
    // Never echoed: the address is the caller's input.
    expect(again.body.error.message).not.toContain(adminEmail.split('@')[0]);
    expect(again.body.error.correlationId).toEqual(expect.any(String));
  });

  it('answers bad input with 400 and the fields at fault', async () => {
    const bad = await signedRequest<ErrorResponse>(cloud, 'POST', '/operator/tenants', {
      name: '   ',
      adminEmail: 'not-an-email',
      plan: 'gold',
    });

    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const paths = (bad.body.error.details ?? []).map((d) => d.path).sort();
    expect(paths).toEqual(['', 'adminEmail', 'name']); // '' = the unknown key `plan` on the body
    expect(bad.body.error.correlationId).toEqual(expect.any(String));
  });

  it('refuses an unsigned request to an operator route', async () => {
    const unsigned = await bearerRequest(cloud, undefined, 'POST', '/operator/tenants', {
      name: 'Sneaky',
      adminEmail: uniqueEmail('sneaky'),
    });
    expect(unsigned.status).toBe(403);

    // Nor does a tenant admin's API key make anyone an operator.
    const { adminKey } = await createTenant(cloud, 'Not an operator');
    const withKey = await bearerRequest(
      cloud,
      adminKey,
      'GET',
      '/operator/tenants/ten_01JZZZZZZZZZZZZZZZZZZZZZZZ',
    );
    expect(withKey.status).toBe(403);
  });

  it('publishes TenantCreated, UserCreated and ApiKeyCreated through the outbox, without the plaintext key', async () => {
    const { tenantId, body } = await createTenant(cloud, 'Evented');
    const mine = (detailType: string) => (e: { 'detail-type': string; detail: { tenantId?: string } }) =>
      e['detail-type'] === detailType && e.detail.tenantId === tenantId;

    const seen = await bus.take((events) =>
      ['TenantCreated', 'UserCreated', 'ApiKeyCreated'].every((type) => events.some(mine(type))),
    );

    const tenantCreated = seen.find(mine('TenantCreated'))!;
    expect(tenantCreated.detail).toMatchObject({ name: 'Evented', adminUserId: body.adminUser.userId });
    const userCreated = seen.find(mine('UserCreated'))!;
    expect(userCreated.detail).toMatchObject({
      userId: body.adminUser.userId,
      email: body.adminUser.email,
      role: 'admin',
    });
    const keyCreated = seen.find(mine('ApiKeyCreated'))!;
    const secret = body.apiKey.key.split('_').slice(3).join('_');
    expect(keyCreated.detail).toMatchObject({
      keyId: body.apiKey.keyId,
      role: 'admin',
      status: 'active',
      secretHash: createHash('sha256').update(secret).digest('hex'),
      ownerEmail: body.adminUser.email,
    });
    for (const event of [tenantCreated, userCreated, keyCreated]) {
      expect(JSON.stringify(event)).not.toContain(secret);
    }
  });
});
