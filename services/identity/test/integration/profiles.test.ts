// Profiles against the real local cloud: people sign in for real (code from the local mailbox), the
// gateway's `people` JWT authorizer checks their tokens, ProfileUpdated is watched on the bus, and
// activity's PersonActivityChanged is put on the bus as activity publishes it.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PersonActivityChanged } from '@switchyard/contracts';
import { eventually, LOCAL_CREDENTIALS } from '@switchyard/local-cloud';
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

describe("activity's totals (PersonActivityChanged)", () => {
  let events: EventBridgeClient;
  let sent = 0;
  beforeAll(() => {
    events = new EventBridgeClient({
      endpoint: started.cloud.endpoints.events,
      region: started.cloud.region,
      credentials: LOCAL_CREDENTIALS,
    });
  });
  afterAll(() => events.destroy());

  /** What activity's aggregator publishes, put on the bus the way EventBridge carries it. */
  async function changed(
    userId: string,
    countersVersion: number,
    commentCount: number,
    tenantId = TENANT,
  ): Promise<void> {
    sent += 1;
    const detail: PersonActivityChanged = {
      version: 1,
      id: `act-${Date.now()}-${sent}`,
      time: new Date().toISOString(),
      tenantId,
      correlationId: `corr-${sent}`,
      userId,
      commentCount,
      lastActiveAt: `2030-01-01T00:00:0${countersVersion}.000Z`,
      countersVersion,
    };
    const answer = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: `switchyard-${started.cloud.stage}-bus`,
            Source: PersonActivityChanged.source,
            DetailType: PersonActivityChanged.detailType,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    expect(answer.FailedEntryCount ?? 0).toBe(0);
  }

  const totalsOf = async (viewer: { token: string }, userId: string) =>
    (
      await bearerRequest<{ commentCount: number; lastActiveAt: string | null }>(
        started.cloud,
        viewer.token,
        'GET',
        `/profile/${userId}`,
      )
    ).body;

  it('shows them on GET /profile/{userId}; an older version arriving late changes nothing', async () => {
    const ann = await givenSignedInUser(['Viewers']);
    const ben = await givenSignedInUser(['Viewers']);
    expect(await totalsOf(ann, ann.userId)).toMatchObject({ commentCount: 0, lastActiveAt: null });

    await changed(ann.userId, 2, 2);
    await eventually(async () => ((await totalsOf(ben, ann.userId)).commentCount === 2 ? true : undefined), {
      what: "ann's profile showing 2 comments",
    });
    // Version 1 after version 2, with a message for ben behind it on the same queue and a message
    // naming ann under another tenant: once ben's shows, ann's totals are still version 2's.
    await changed(ann.userId, 1, 5);
    await changed(ann.userId, 3, 9, 'ten_OTHERTENANT');
    await changed(ben.userId, 1, 1);
    await eventually(async () => ((await totalsOf(ann, ben.userId)).commentCount === 1 ? true : undefined), {
      what: "ben's profile showing 1 comment",
    });
    expect(await totalsOf(ben, ann.userId)).toMatchObject({
      commentCount: 2,
      lastActiveAt: '2030-01-01T00:00:02.000Z',
    });
  });
});
