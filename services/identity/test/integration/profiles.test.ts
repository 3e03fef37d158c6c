// Profiles against the real local cloud: people sign in for real (code from the local mailbox), the
// gateway's `people` JWT authorizer checks their tokens, and ProfileUpdated is watched on the bus.
import { bearerRequest } from './support/identity-api';
import type { IdentityCloud } from './support/identity-cloud';
import { startIdentityCloud, stopIdentityCloud } from './support/identity-cloud';
import { givenSignedInPerson } from './support/people';

const TENANT = 'ten_PROFILESTEST';

let started: IdentityCloud;

/** A user in identity's table (there is no invite API), signed in through the real flow. */
const givenSignedInUser = (groups: string[], tenantId = TENANT) =>
  givenSignedInPerson(started, { label: 'profile', tenantId, groups });

beforeAll(async () => {
  started = await startIdentityCloud();
});

afterAll(() => stopIdentityCloud(started));

describe('profiles', () => {
  it("updates the caller's own profile and publishes ProfileUpdated to the bus", async () => {
    const alice = await givenSignedInUser(['Viewers']);
    const put = await bearerRequest(started.cloud, alice.token, 'PUT', '/profile', {
      displayName: 'Alice Liddell',
      bio: 'Curiouser and curiouser',
      photoUrl: 'https://example.com/alice.png',
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      userId: alice.userId,
      displayName: 'Alice Liddell',
      bio: 'Curiouser and curiouser',
      isProfilePrivate: false,
    });
    const get = await bearerRequest(started.cloud, alice.token, 'GET', `/profile/${alice.userId}`);
    expect(get).toMatchObject({ status: 200, body: { displayName: 'Alice Liddell' } });

    const seen = await started.bus.take((events) =>
      events.some((e) => e['detail-type'] === 'ProfileUpdated' && e.detail.userId === alice.userId),
    );
    const event = seen.find((e) => e['detail-type'] === 'ProfileUpdated' && e.detail.userId === alice.userId);
    expect(event?.detail).toMatchObject({
      tenantId: TENANT,
      changedFields: ['displayName'],
      old: {},
      new: { displayName: 'Alice Liddell' },
    });
  });

  it('answers 400 with field details, and needs a valid token', async () => {
    const alice = await givenSignedInUser(['Viewers']);
    const bad = await bearerRequest<{ error: { code: string; details: { path: string }[] } }>(
      started.cloud,
      alice.token,
      'PUT',
      '/profile',
      { bio: 'x'.repeat(501), photoUrl: 'not a url' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details.map((d) => d.path).sort()).toEqual(['bio', 'photoUrl']);

    expect((await bearerRequest(started.cloud, undefined, 'PUT', '/profile', { bio: 'hi' })).status).toBe(
      401,
    );
    expect(
      (await bearerRequest(started.cloud, `${alice.token}x`, 'GET', `/profile/${alice.userId}`)).status,
    ).toBe(401);
  });

  it('a private profile is 403 to others, 200 to its owner and to Admins of the tenant; unknown is 404', async () => {
    const owner = await givenSignedInUser(['Viewers']);
    const other = await givenSignedInUser(['Viewers']);
    const admin = await givenSignedInUser(['Admins']);
    const foreignAdmin = await givenSignedInUser(['Admins'], 'ten_OTHERTENANT');

    const put = await bearerRequest(started.cloud, owner.token, 'PUT', '/profile', {
      displayName: 'Private Person',
      isProfilePrivate: true,
    });
    expect(put.status).toBe(200);
    const path = `/profile/${owner.userId}`;
    expect((await bearerRequest(started.cloud, owner.token, 'GET', path)).status).toBe(200);
    expect((await bearerRequest(started.cloud, admin.token, 'GET', path)).status).toBe(200);
    const refused = await bearerRequest<{ error: { code: string } }>(started.cloud, other.token, 'GET', path);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await bearerRequest(started.cloud, foreignAdmin.token, 'GET', path)).status).toBe(404);

    // A public profile is visible to the rest of the tenant.
    expect((await bearerRequest(started.cloud, owner.token, 'GET', `/profile/${other.userId}`)).status).toBe(
      200,
    );
    expect((await bearerRequest(started.cloud, owner.token, 'GET', '/profile/usr_NOSUCHUSER')).status).toBe(
      404,
    );
  });
});
