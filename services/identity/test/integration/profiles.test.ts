// Profiles against the real local cloud: people sign in for real (code from the local mailbox), the
// gateway's `people` JWT authorizer checks their tokens, and ProfileUpdated is watched on the bus.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import { listEmails } from '@switchyard/local-cloud/src/emulators/ses';
import { bearerRequest, LOCAL_CREDENTIALS, tapBus } from './support/identity-api';

const TABLE = 'identity-local';
const TENANT = 'ten_PROFILESTEST';

let cloud: RunningLocalCloud;
let table: DynamoDBDocumentClient;
let bus: Awaited<ReturnType<typeof tapBus>>;
let count = 0;

/** A user in identity's table (there is no invite API), signed in through the real flow. */
async function givenSignedInUser(groups: string[], tenantId = TENANT) {
  count += 1;
  const suffix = `${Date.now().toString(36)}${count}`.toUpperCase();
  const user = {
    userId: `usr_PROFILE${suffix}`,
    tenantId,
    email: `profile-${suffix.toLowerCase()}@example.com`,
    emailVerified: false,
    role: groups.includes('Admins') ? 'admin' : 'viewer',
    groups,
    createdAt: new Date().toISOString(),
  };
  await table.send(
    new PutCommand({ TableName: TABLE, Item: { pk: `USER#${user.userId}`, sk: 'USER', ...user } }),
  );
  await table.send(
    new PutCommand({
      TableName: TABLE,
      Item: { pk: `EMAIL#${user.email}`, sk: 'EMAIL', email: user.email, userId: user.userId, tenantId },
    }),
  );
  const login = await fetch(`${cloud.apiUrl}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email }),
  });
  expect(login.status).toBe(202);
  let code: string | undefined;
  for (let i = 0; i < 40 && !code; i++) {
    const mails = (await listEmails(cloud.endpoints.ses)).filter((m) =>
      m.destination.to.includes(user.email),
    );
    code = /\b(\d{6})\b/.exec(mails.at(-1)?.body.text ?? '')?.[1];
    if (!code) await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const verify = await fetch(`${cloud.apiUrl}/auth/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, code }),
  });
  const tokens = (await verify.json()) as { accessToken: string };
  expect(verify.status).toBe(200);
  return { ...user, token: tokens.accessToken };
}

beforeAll(async () => {
  cloud = await startLocalCloud({ services: ['identity'] });
  table = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: cloud.endpoints.dynamodb,
      region: cloud.region,
      credentials: LOCAL_CREDENTIALS,
    }),
  );
  bus = await tapBus(cloud, 'switchyard.identity');
});

afterAll(async () => {
  bus?.close();
  table?.destroy();
  await cloud?.stop();
});

describe('profiles', () => {
  it("updates the caller's own profile and publishes ProfileUpdated to the bus", async () => {
    const alice = await givenSignedInUser(['Viewers']);
    const put = await bearerRequest(cloud, alice.token, 'PUT', '/profile', {
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
    const get = await bearerRequest(cloud, alice.token, 'GET', `/profile/${alice.userId}`);
    expect(get).toMatchObject({ status: 200, body: { displayName: 'Alice Liddell' } });

    const seen = await bus.take((events) =>
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
      cloud,
      alice.token,
      'PUT',
      '/profile',
      { bio: 'x'.repeat(501), photoUrl: 'not a url' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details.map((d) => d.path).sort()).toEqual(['bio', 'photoUrl']);

    expect((await bearerRequest(cloud, undefined, 'PUT', '/profile', { bio: 'hi' })).status).toBe(401);
    expect((await bearerRequest(cloud, `${alice.token}x`, 'GET', `/profile/${alice.userId}`)).status).toBe(
      401,
    );
  });

  it('a private profile is 403 to others, 200 to its owner and to Admins of the tenant; unknown is 404', async () => {
    const owner = await givenSignedInUser(['Viewers']);
    const other = await givenSignedInUser(['Viewers']);
    const admin = await givenSignedInUser(['Admins']);
    const foreignAdmin = await givenSignedInUser(['Admins'], 'ten_OTHERTENANT');

    const put = await bearerRequest(cloud, owner.token, 'PUT', '/profile', {
      displayName: 'Private Person',
      isProfilePrivate: true,
    });
    expect(put.status).toBe(200);
    const path = `/profile/${owner.userId}`;
    expect((await bearerRequest(cloud, owner.token, 'GET', path)).status).toBe(200);
    expect((await bearerRequest(cloud, admin.token, 'GET', path)).status).toBe(200);
    const refused = await bearerRequest<{ error: { code: string } }>(cloud, other.token, 'GET', path);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await bearerRequest(cloud, foreignAdmin.token, 'GET', path)).status).toBe(404);

    // A public profile is visible to the rest of the tenant.
    expect((await bearerRequest(cloud, owner.token, 'GET', `/profile/${other.userId}`)).status).toBe(200);
    expect((await bearerRequest(cloud, owner.token, 'GET', '/profile/usr_NOSUCHUSER')).status).toBe(404);
  });
});
