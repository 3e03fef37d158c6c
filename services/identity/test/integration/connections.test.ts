// Third-party connections against the real local cloud and a real HTTP fake OAuth provider: start,
// provider consent, callback, encrypted token storage, listing, and the refresh job (triggered
// through the local EventBridge with a rule whose target is the job's function).
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { eventually, LOCAL_CREDENTIALS } from '@switchyard/local-cloud';
import type { BusTap, RunningLocalCloud } from '@switchyard/local-cloud';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { registerLocalProvider } from '../../src/adapters/providers';
import { decryptTokens, localSecretKey, vaultKey } from '../../src/adapters/token-vault';
import { startFakeProvider } from '../support/fake-provider';
import type { FakeProvider } from '../support/fake-provider';
import { bearerRequest } from './support/identity-api';
import type { IdentityCloud } from './support/identity-cloud';
import { IDENTITY_TABLE as TABLE, startIdentityCloud, stopIdentityCloud } from './support/identity-cloud';
import { givenSignedInPerson } from './support/people';

const TENANT = 'ten_CONNECTIONSTEST';

let started: IdentityCloud;
let cloud: RunningLocalCloud;
let table: DynamoDBDocumentClient;
let events: EventBridgeClient;
let bus: BusTap;
let provider: FakeProvider;

/** A user in identity's table (there is no invite API), signed in through the real flow. */
const givenSignedInUser = () =>
  givenSignedInPerson(started, { label: 'conn', tenantId: TENANT, groups: ['Viewers'] });

/** Start → provider consent → callback, as a browser does it (the nonce cookie included). */
async function connect(user: { token: string }) {
  const start = await fetch(`${cloud.apiUrl}/connections/fake/start`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  expect(start.status).toBe(200);
  const { authorizeUrl } = (await start.json()) as { authorizeUrl: string };
  const cookie = start.headers.get('set-cookie')?.split(';')[0];
  expect(cookie).toMatch(/^sy_oauth_fake=/);
  const callback = await provider.authorize(authorizeUrl);
  expect(callback.origin).toBe(new URL(cloud.apiUrl).origin);
  const done = await fetch(callback, { headers: { cookie: cookie ?? '' } });
  return { status: done.status, body: (await done.json()) as Record<string, unknown>, callback };
}

async function storedTokens(userId: string) {
  const key = await table.send(
    new GetCommand({ TableName: TABLE, Key: localSecretKey('connections-vault-key') }),
  );
  const item = await table.send(new GetCommand({ TableName: TABLE, Key: vaultKey(userId, 'fake') }));
  return decryptTokens(
    Buffer.from(String(key.Item?.value), 'base64'),
    vaultKey(userId, 'fake').pk,
    item.Item as { iv: string; ciphertext: string; tag: string },
  );
}

const RULE = 'identity-test-run-refresh';

/** Runs the refresh job now: an event on the bus whose rule targets the job's function. */
async function runRefreshJob() {
  await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: `switchyard-${cloud.stage}-bus`,
          Source: 'switchyard.test',
          DetailType: 'RunRefresh',
          Detail: '{}',
        },
      ],
    }),
  );
}

beforeAll(async () => {
  provider = await startFakeProvider({ expiresIn: 3600 });
  started = await startIdentityCloud();
  ({ cloud, table, bus } = started);
  events = new EventBridgeClient({
    endpoint: cloud.endpoints.events,
    region: cloud.region,
    credentials: LOCAL_CREDENTIALS,
  });
  // The local stage's provider points at this test's fake (its port is only known now).
  await registerLocalProvider(
    TABLE,
    {
      name: 'fake',
      authorizeUrl: provider.authorizeUrl,
      tokenUrl: provider.tokenUrl,
      clientId: provider.clientId,
      scopes: ['read'],
    },
    provider.clientSecret,
    table,
  );
  await events.send(
    new PutRuleCommand({
      Name: RULE,
      EventBusName: `switchyard-${cloud.stage}-bus`,
      EventPattern: JSON.stringify({ source: ['switchyard.test'], 'detail-type': ['RunRefresh'] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: RULE,
      EventBusName: `switchyard-${cloud.stage}-bus`,
      Targets: [
        {
          Id: 'job',
          Arn: `arn:aws:lambda:${cloud.region}:000000000000:function:identity-${cloud.stage}-refreshConnections`,
        },
      ],
    }),
  );
});

afterAll(async () => {
  events?.destroy();
  await stopIdentityCloud(started);
  await provider?.close();
});

describe('connections', () => {
  it('connects through start and callback, stores tokens encrypted, lists without tokens', async () => {
    const user = await givenSignedInUser();
    const done = await connect(user);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ provider: 'fake', status: 'connected' });
    expect(Date.parse(String(done.body.expiresAt)) - Date.now()).toBeGreaterThan(50 * 60 * 1000);

    // The code went to the token endpoint as a form, with the same redirect URI.
    const exchange = provider.requests.find((r) => r.form.grant_type === 'authorization_code');
    expect(exchange?.contentType).toBe('application/x-www-form-urlencoded');
    expect(exchange?.form.redirect_uri).toBe(`${done.callback.origin}${done.callback.pathname}`);

    const list = await bearerRequest<{ items: Record<string, unknown>[] }>(
      cloud,
      user.token,
      'GET',
      '/connections',
    );
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([
      expect.objectContaining({ provider: 'fake', status: 'connected', expiresAt: done.body.expiresAt }),
    ]);

    // No token is readable in the table: only ciphertext, which decrypts to the live refresh token.
    const stored = await storedTokens(user.userId);
    expect(provider.liveRefreshTokens()).toContain(stored.refreshToken);
    const { Items = [] } = await table.send(new ScanCommand({ TableName: TABLE }));
    const dump = JSON.stringify(Items);
    expect(dump).not.toContain(stored.refreshToken);
    expect(dump).not.toContain(stored.accessToken);
    expect(JSON.stringify(list.body)).not.toContain(stored.accessToken);
  });

  it('refuses a callback whose state was tampered with, or replayed from another browser', async () => {
    const user = await givenSignedInUser();
    const start = await bearerRequest<{ authorizeUrl: string }>(
      cloud,
      user.token,
      'GET',
      '/connections/fake/start',
    );
    const callback = await provider.authorize(start.body.authorizeUrl);
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    expect((await fetch(tampered)).status).toBe(400);
    const otherBrowser = await fetch(callback, { headers: { cookie: 'sy_oauth_fake=not-the-nonce' } });
    expect(otherBrowser.status).toBe(400);
    expect((await bearerRequest(cloud, user.token, 'GET', '/connections/nope/start')).status).toBe(404);
    expect((await bearerRequest(cloud, undefined, 'GET', '/connections/fake/start')).status).toBe(401);
  });

  it('the refresh job refreshes due tokens and stores the new single-use refresh token', async () => {
    const user = await givenSignedInUser();
    expect((await connect(user)).status).toBe(200);
    const before = await storedTokens(user.userId);
    const refreshesBefore = provider.requests.filter((r) => r.form.grant_type === 'refresh_token').length;

    await runRefreshJob();
    const after = await eventually(async () => {
      const tokens = await storedTokens(user.userId);
      return tokens.refreshToken !== before.refreshToken ? tokens : undefined;
    });
    expect(provider.requests.filter((r) => r.form.grant_type === 'refresh_token').length).toBeGreaterThan(
      refreshesBefore,
    );
    expect(provider.liveRefreshTokens()).toContain(after.refreshToken);
    expect(provider.liveRefreshTokens()).not.toContain(before.refreshToken);
    const list = await bearerRequest<{ items: { status: string }[] }>(
      cloud,
      user.token,
      'GET',
      '/connections',
    );
    expect(list.body.items[0]?.status).toBe('connected');
  });

  it('a failing refresh marks the connection as needing reauthorisation and publishes ConnectionNeedsReauth', async () => {
    const user = await givenSignedInUser();
    expect((await connect(user)).status).toBe(200);
    provider.failRefresh('invalid_grant');
    try {
      await runRefreshJob();
      await eventually(async () => {
        const list = await bearerRequest<{ items: { status: string }[] }>(
          cloud,
          user.token,
          'GET',
          '/connections',
        );
        return list.body.items[0]?.status === 'needs_reauth' ? true : undefined;
      });
    } finally {
      provider.failRefresh(false);
    }
    const seen = await bus.take((all) =>
      all.some((e) => e['detail-type'] === 'ConnectionNeedsReauth' && e.detail.userId === user.userId),
    );
    const event = seen.find(
      (e) => e['detail-type'] === 'ConnectionNeedsReauth' && e.detail.userId === user.userId,
    );
    expect(event?.detail).toMatchObject({ tenantId: TENANT, provider: 'fake', reason: 'token_revoked' });

    // Reconnecting makes it connected again.
    expect((await connect(user)).body).toMatchObject({ status: 'connected' });
  });
});
