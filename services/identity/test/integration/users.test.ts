// A tenant's people against the real local cloud: invitations (the e-mail in the local mailbox),
// listing, reading, changing groups and status, removing; the last-admin rule, also when two admins
// demote each other at once; what suspension and removal end (sessions, keys, sign-in); the events
// the outbox publishes; the operator routes; and that no answer names another tenant.
import { eventually } from '@switchyard/local-cloud';
import type { BusEnvelope, BusTap, RunningLocalCloud } from '@switchyard/local-cloud';
import type { UserView } from '../../src/domain/users';
import type { ErrorResponse, KeyView } from './support/identity-api';
import { bearerRequest, signedRequest, uniqueEmail } from './support/identity-api';
import type { TestTenant, TwoTenantCloud } from './support/identity-cloud';
import { startWithTwoTenants, stopIdentityCloud } from './support/identity-cloud';
import { mailTo, postJson, signIn, signInMailsTo } from './support/people';

type UserList = { items: UserView[]; nextCursor: string | null };

describe("a tenant's people", () => {
  let cloud: RunningLocalCloud;
  let started: TwoTenantCloud;
  let bus: BusTap;
  let tenantA: TestTenant;
  let tenantB: TestTenant;

  const api = <T = unknown>(token: string | undefined, method: string, path: string, body?: unknown) =>
    bearerRequest<T>(cloud, token, method, path, body);

  const invite = async (token: string, body: Record<string, unknown>): Promise<UserView> => {
    const response = await api<{ user: UserView }>(token, 'POST', '/users', body);
    if (response.status !== 201)
      throw new Error(`invite: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.user;
  };

  /** A signed-in admin of tenant A (invited through the API): their user and tokens. */
  const givenAdmin = async (label: string) => {
    const user = await invite(tenantA.adminKey, { email: uniqueEmail(label), groups: ['Admins'] });
    return { user, tokens: await signIn(cloud, user) };
  };

  const eventFor = (detailType: string, userId: string, match: (e: BusEnvelope) => boolean = () => true) =>
    bus
      .take((seen) =>
        seen.some((e) => e['detail-type'] === detailType && e.detail.userId === userId && match(e)),
      )
      .then((seen) =>
        seen.find((e) => e['detail-type'] === detailType && e.detail.userId === userId && match(e))!,
      );

  beforeAll(async () => {
    started = await startWithTwoTenants();
    ({ cloud, bus, tenantA, tenantB } = started);
  });

  afterAll(() => stopIdentityCloud(started));

  it('invites a person: 201 with the user, UserCreated, and an e-mail naming the inviter, the tenant and the sign-in route', async () => {
    const email = uniqueEmail('invitee');
    const user = await invite(tenantA.adminKey, { email: email.toUpperCase(), displayName: 'Ivy Invitee' });
    expect(user).toEqual({
      userId: expect.stringMatching(/^usr_/),
      tenantId: tenantA.tenantId,
      email,
      displayName: 'Ivy Invitee',
      groups: [],
      role: 'viewer',
      status: 'active',
      emailVerified: false,
      invitedBy: `key:${tenantA.body.apiKey.keyId}`,
      createdAt: expect.any(String),
      updatedAt: null,
    });

    const created = await eventFor('UserCreated', user.userId);
    expect(created.detail).toMatchObject({
      tenantId: tenantA.tenantId,
      email,
      role: 'viewer',
      groups: [],
      status: 'active',
      invitedBy: `key:${tenantA.body.apiKey.keyId}`,
      displayName: 'Ivy Invitee',
    });

    const mail = await invitationTo(email);
    // The first admin key is owned by the tenant's admin: the invitation names them.
    expect(mail.subject).toBe(`${tenantA.adminEmail} invited you to Tenant A on Switchyard`);
    expect(mail.body.text).toContain(`${cloud.apiUrl}/auth/login`);
    expect(mail.body.text).toContain(`${cloud.apiUrl}/auth/verify`);
    // No secret: no key, no code.
    expect(JSON.stringify(mail)).not.toContain(tenantA.adminKey);
    expect((mail.body.text ?? '').replaceAll(email, '')).not.toMatch(/\b\d{6}\b/);

    // The invited person signs in with an e-mailed code; their profile shows the invited name.
    const tokens = await signIn(cloud, user);
    const profile = await api<{ displayName: string }>(tokens.accessToken, 'GET', `/profile/${user.userId}`);
    expect(profile.body.displayName).toBe('Ivy Invitee');
  });

  it('names a signed-in admin who invites by their display name, and keeps HTML out of the e-mail', async () => {
    const { user: admin, tokens } = await givenAdmin('inviter');
    expect(
      (await api(tokens.accessToken, 'PUT', '/profile', { displayName: 'Ada <b>Admin</b>' })).status,
    ).toBe(200);
    const email = uniqueEmail('guest');
    const guest = await invite(tokens.accessToken, { email });
    expect(guest.invitedBy).toBe(admin.userId);
    const mail = await invitationTo(email);
    expect(mail.subject).toBe('Ada <b>Admin</b> invited you to Tenant A on Switchyard');
    expect(mail.body.html).toContain('Ada &lt;b&gt;Admin&lt;/b&gt;');
    expect(mail.body.html).not.toContain('<b>Admin</b>');
  });

  it('refuses an address in use anywhere with 409 email_taken naming no tenant, and bad input with field details', async () => {
    const taken = await api<ErrorResponse>(tenantA.adminKey, 'POST', '/users', { email: tenantB.adminEmail });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({
      code: 'email_taken',
      details: [{ path: 'email', message: 'already belongs to a user' }],
    });
    const text = JSON.stringify(taken.body);
    for (const secret of [tenantB.tenantId, 'Tenant B', tenantB.adminEmail])
      expect(text).not.toContain(secret);

    const bad = await api<ErrorResponse>(tenantA.adminKey, 'POST', '/users', {
      email: 'not-an-address<script>',
      groups: ['Admins', 'Owners'],
      role: 'admin',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const paths = bad.body.error.details!.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['email', 'groups.1']));
    expect(paths).toHaveLength(3); // and the unknown field
    expect(JSON.stringify(bad.body)).not.toContain('<script>');

    const patch = await api<ErrorResponse>(
      tenantA.adminKey,
      'PATCH',
      `/users/${tenantA.body.adminUser.userId}`,
      {},
    );
    expect(patch.status).toBe(400);
    expect(patch.body.error.code).toBe('validation_failed');
  });

  it('lists people newest first, page by page; a cursor works for its own tenant and listing only', async () => {
    const first = await invite(tenantB.adminKey, { email: uniqueEmail('b1') });
    const second = await invite(tenantB.adminKey, { email: uniqueEmail('b2') });
    const page1 = await api<UserList>(tenantB.adminKey, 'GET', '/users?limit=2');
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((u) => u.userId)).toEqual([second.userId, first.userId]);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await api<UserList>(
      tenantB.adminKey,
      'GET',
      `/users?limit=2&cursor=${encodeURIComponent(page1.body.nextCursor!)}`,
    );
    expect(page2.body.items.map((u) => u.userId)).toEqual([tenantB.body.adminUser.userId]);
    expect(page2.body.nextCursor).toBeNull();

    const replayed = await api<ErrorResponse>(
      tenantA.adminKey,
      'GET',
      `/users?cursor=${encodeURIComponent(page1.body.nextCursor!)}`,
    );
    expect(replayed.status).toBe(400);
    expect(replayed.body.error.code).toBe('invalid_cursor');
    await api(tenantB.adminKey, 'POST', '/keys', { role: 'viewer' });
    const keysPage = await api<{ nextCursor: string }>(tenantB.adminKey, 'GET', '/keys?limit=1');
    const wrongListing = await api<ErrorResponse>(
      tenantB.adminKey,
      'GET',
      `/users?cursor=${encodeURIComponent(keysPage.body.nextCursor)}`,
    );
    expect(wrongListing.status).toBe(400);
    expect(wrongListing.body.error.code).toBe('invalid_cursor');

    expect((await api(tenantB.adminKey, 'GET', '/users?limit=0')).status).toBe(400);
    // Another tenant's user is 404 on every route, like a missing one.
    for (const [method, body] of [['GET'], ['PATCH', { status: 'suspended' }], ['DELETE']] as const) {
      const response = await api<ErrorResponse>(tenantA.adminKey, method, `/users/${first.userId}`, body);
      expect(response.status).toBe(404);
      expect(JSON.stringify(response.body)).not.toContain(tenantB.tenantId);
    }
    expect((await api(tenantA.adminKey, 'GET', '/users/usr_nope')).status).toBe(404);
  });

  it('lets only tenant admins manage people: 401 without credentials, 403 for a viewer key or a non-admin person', async () => {
    expect((await api(undefined, 'GET', '/users')).status).toBe(401);
    const viewer = await api<{ apiKey: KeyView & { key: string } }>(tenantA.adminKey, 'POST', '/keys', {
      role: 'viewer',
    });
    expect((await api(viewer.body.apiKey.key, 'GET', '/users')).status).toBe(403);
    const person = await invite(tenantA.adminKey, { email: uniqueEmail('plain') });
    const tokens = await signIn(cloud, person);
    expect((await api(tokens.accessToken, 'POST', '/users', { email: uniqueEmail('x') })).status).toBe(403);
  });

  it('changes groups with UserUpdated (whole state, revision); the refreshed token carries the new groups', async () => {
    const person = await invite(tenantA.adminKey, { email: uniqueEmail('promoted'), displayName: 'Pat' });
    const tokens = await signIn(cloud, person);
    const promoted = await api<{ user: UserView }>(tenantA.adminKey, 'PATCH', `/users/${person.userId}`, {
      groups: ['Admins', 'Creators'],
    });
    expect(promoted.status).toBe(200);
    expect(promoted.body.user).toMatchObject({
      groups: ['Admins', 'Creators'],
      role: 'admin',
      status: 'active',
    });

    const updated = await eventFor('UserUpdated', person.userId);
    expect(updated.detail).toMatchObject({
      changedFields: ['groups'],
      old: { email: person.email, displayName: 'Pat', groups: [], role: 'viewer', status: 'active' },
      new: { email: person.email, displayName: 'Pat', groups: ['Admins', 'Creators'], role: 'admin' },
      revision: 2,
      updatedBy: `key:${tenantA.body.apiKey.keyId}`,
    });

    // The old access token does not grant a group it lacks; the refreshed one carries the new groups.
    expect((await api(tokens.accessToken, 'GET', '/users')).status).toBe(403);
    const refreshed = await postJson(cloud, '/auth/refresh', { refreshToken: tokens.refreshToken });
    expect(refreshed.status).toBe(200);
    expect((await api(String(refreshed.body.accessToken), 'GET', '/users')).status).toBe(200);
  });

  it("publishes UserUpdated when a person changes their profile's display name", async () => {
    const person = await invite(tenantA.adminKey, { email: uniqueEmail('renamed') });
    const tokens = await signIn(cloud, person);
    expect((await api(tokens.accessToken, 'PUT', '/profile', { displayName: 'Renée' })).status).toBe(200);
    const updated = await eventFor('UserUpdated', person.userId);
    expect(updated.detail).toMatchObject({
      changedFields: ['displayName'],
      old: { groups: [], status: 'active' },
      new: { displayName: 'Renée', groups: [], status: 'active' },
      revision: 2,
      updatedBy: person.userId,
    });
    expect(updated.detail.old).not.toHaveProperty('displayName');
    const read = await api<{ user: UserView }>(tenantA.adminKey, 'GET', `/users/${person.userId}`);
    expect(read.body.user).toMatchObject({ displayName: 'Renée', updatedAt: expect.any(String) });
  });

  it("keeps the tenant's last active admin: no demotion, suspension or removal (409 last_admin)", async () => {
    const { tenantId, body } = tenantB;
    const adminId = body.adminUser.userId;
    for (const [method, patch] of [
      ['PATCH', { groups: [] }],
      ['PATCH', { status: 'suspended' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await api<ErrorResponse>(tenantB.adminKey, method, `/users/${adminId}`, patch);
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('last_admin');
    }
    const operator = await signedRequest<ErrorResponse>(cloud, 'DELETE', `/operator/users/${adminId}`);
    expect(operator.status).toBe(409);
    expect(operator.body.error.code).toBe('last_admin');
    const list = await signedRequest<UserList>(cloud, 'GET', `/operator/tenants/${tenantId}/users?limit=100`);
    expect(list.body.items.find((u) => u.userId === adminId)).toMatchObject({
      status: 'active',
      role: 'admin',
    });
  });

  it('two admins demoting each other at the same moment never leave the tenant without one', async () => {
    const tenant = await signedRequest<{
      tenant: { tenantId: string };
      adminUser: UserView;
      apiKey: { key: string };
    }>(cloud, 'POST', '/operator/tenants', { name: 'Race', adminEmail: uniqueEmail('race-first') });
    const key = tenant.body.apiKey.key;
    const second = await invite(key, { email: uniqueEmail('race-second'), groups: ['Admins'] });
    const [firstTokens, secondTokens] = await Promise.all([
      signIn(cloud, tenant.body.adminUser),
      signIn(cloud, second),
    ]);
    const [a, b] = await Promise.all([
      api(firstTokens.accessToken, 'PATCH', `/users/${second.userId}`, { groups: [] }),
      api(secondTokens.accessToken, 'PATCH', `/users/${tenant.body.adminUser.userId}`, { groups: [] }),
    ]);
    // One wins; the other is refused as the last admin's demotion (409), or because its caller was
    // demoted a moment before (403).
    const statuses = [a.status, b.status];
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409 || status === 403)).toHaveLength(1);
    const people = await api<UserList>(key, 'GET', '/users');
    expect(people.body.items.filter((u) => u.role === 'admin' && u.status === 'active')).toHaveLength(1);
  });

  it("suspending ends sessions, refuses sign-in and revokes the person's keys; reactivating lets them sign in again", async () => {
    const { user, tokens } = await givenAdmin('suspended');
    const own = await api<{ apiKey: KeyView & { key: string } }>(tenantA.adminKey, 'POST', '/keys', {
      role: 'admin',
      ownerEmail: user.email,
    });
    const keyOwned = own.body.apiKey;
    expect((await api(keyOwned.key, 'GET', '/keys?limit=1')).status).toBe(200);

    const suspended = await api<{ user: UserView }>(tenantA.adminKey, 'PATCH', `/users/${user.userId}`, {
      status: 'suspended',
    });
    expect(suspended.status).toBe(200);
    expect(suspended.body.user.status).toBe('suspended');

    // At once: identity refuses their key, their access token and their refresh token.
    expect((await api(keyOwned.key, 'GET', '/keys?limit=1')).status).toBe(401);
    expect((await api(tokens.accessToken, 'GET', '/users')).status).toBe(401);
    const refresh = await postJson(cloud, '/auth/refresh', { refreshToken: tokens.refreshToken });
    expect(refresh.status).toBe(401);

    // Signing in is answered as for an unknown address: no code is sent.
    const before = (await signInMailsTo(cloud, user.email)).length;
    expect((await postJson(cloud, '/auth/login', { email: user.email })).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await signInMailsTo(cloud, user.email)).toHaveLength(before);

    const updated = await eventFor(
      'UserUpdated',
      user.userId,
      (e) => (e.detail.new as { status?: string }).status === 'suspended',
    );
    expect(updated.detail).toMatchObject({ changedFields: ['status'], old: { status: 'active' } });
    await bus.take((seen) =>
      seen.some((e) => e['detail-type'] === 'ApiKeyRevoked' && e.detail.keyId === keyOwned.keyId),
    );

    const back = await api<{ user: UserView }>(tenantA.adminKey, 'PATCH', `/users/${user.userId}`, {
      status: 'active',
    });
    expect(back.body.user.status).toBe('active');
    // Old sessions stay ended and revoked keys stay revoked; a new sign-in works.
    expect((await postJson(cloud, '/auth/refresh', { refreshToken: tokens.refreshToken })).status).toBe(401);
    expect((await api(keyOwned.key, 'GET', '/keys?limit=1')).status).toBe(401);
    const again = await signIn(cloud, user);
    expect((await api(again.accessToken, 'GET', '/users')).status).toBe(200);
  });

  it('removing a person ends them for good (UserRemoved); their address may be invited again as someone new', async () => {
    const email = uniqueEmail('removed');
    const person = await invite(tenantA.adminKey, { email, groups: ['Creators'], displayName: 'Rémi' });
    const tokens = await signIn(cloud, person);
    const key = await api<{ apiKey: KeyView & { key: string } }>(tenantA.adminKey, 'POST', '/keys', {
      role: 'admin',
      ownerEmail: email,
    });

    expect((await api(tenantA.adminKey, 'DELETE', `/users/${person.userId}`)).status).toBe(204);
    expect((await api(tenantA.adminKey, 'GET', `/users/${person.userId}`)).status).toBe(404);
    expect((await api(tenantA.adminKey, 'DELETE', `/users/${person.userId}`)).status).toBe(404);
    expect((await postJson(cloud, '/auth/refresh', { refreshToken: tokens.refreshToken })).status).toBe(401);
    expect((await api(key.body.apiKey.key, 'GET', '/keys')).status).toBe(401);
    expect((await api(tokens.accessToken, 'GET', `/profile/${person.userId}`)).status).toBe(404);

    const removed = await eventFor('UserRemoved', person.userId);
    expect(removed.detail).toMatchObject({
      tenantId: tenantA.tenantId,
      email,
      displayName: 'Rémi',
      groups: ['Creators'],
      role: 'creator',
      status: 'active',
      removedBy: `key:${tenantA.body.apiKey.keyId}`,
    });

    const again = await invite(tenantA.adminKey, { email });
    expect(again.userId).not.toBe(person.userId);
  });

  it('operators invite, list and remove people of any tenant through the IAM-signed routes', async () => {
    const email = uniqueEmail('by-operator');
    const created = await signedRequest<{ user: UserView }>(
      cloud,
      'POST',
      `/operator/tenants/${tenantB.tenantId}/users`,
      {
        email,
        groups: ['Admins'],
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({ tenantId: tenantB.tenantId, email, role: 'admin' });
    const mail = await invitationTo(email);
    expect(mail.subject).toBe('An administrator of Tenant B invited you to Tenant B on Switchyard');

    const listed = await signedRequest<UserList>(cloud, 'GET', `/operator/tenants/${tenantB.tenantId}/users`);
    expect(listed.body.items.map((u) => u.userId)).toContain(created.body.user.userId);
    expect((await signedRequest(cloud, 'DELETE', `/operator/users/${created.body.user.userId}`)).status).toBe(
      204,
    );
    expect((await signedRequest(cloud, 'DELETE', `/operator/users/${created.body.user.userId}`)).status).toBe(
      404,
    );
    expect((await signedRequest(cloud, 'GET', '/operator/tenants/ten_nope/users')).status).toBe(404);
    // Unsigned, the operator routes are closed.
    expect(
      (await api(tenantB.adminKey, 'POST', `/operator/tenants/${tenantB.tenantId}/users`, { email })).status,
    ).toBe(403);
  });

  /** The invitation e-mailed to `email`, waiting for it to arrive. */
  function invitationTo(email: string) {
    return eventually(
      async () => (await mailTo(cloud, email)).find((mail) => mail.subject.includes('invited you')),
      { what: `an invitation to ${email}` },
    );
  }
});
