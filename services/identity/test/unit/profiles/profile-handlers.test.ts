import { GetCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaContext } from '@switchyard/runtime/testing';
import { mockClient } from 'aws-sdk-client-mock';

process.env.TABLE_NAME = 'identity-test';
process.env.EVENT_BUS_NAME = 'switchyard-test-bus';
process.env.STAGE = 'test';

// Imported after the environment is set: handlers read their config at first use.
import { handler as getProfile } from '../../../src/handlers/get-profile';
import { handler as updateProfile } from '../../../src/handlers/update-profile';

const ddb = mockClient(DynamoDBDocumentClient);
const context = lambdaContext({ functionName: 'test', awsRequestId: 'req' });

type Claims = Record<string, string>;
const alice: Claims = { sub: 'usr_alice', 'custom:tenantId': 'ten_a', 'cognito:groups': '[Viewers]' };
const bob: Claims = { sub: 'usr_bob', 'custom:tenantId': 'ten_a', 'cognito:groups': '[]' };
const admin: Claims = { sub: 'usr_admin', 'custom:tenantId': 'ten_a', 'cognito:groups': '[Admins Viewers]' };
const foreignAdmin: Claims = { sub: 'usr_x', 'custom:tenantId': 'ten_b', 'cognito:groups': '[Admins]' };

function event(
  method: string,
  path: string,
  claims: Claims,
  body?: unknown,
  params?: Record<string, string>,
) {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    ...(params ? { pathParameters: params } : {}),
    ...(body === undefined ? {} : { body: JSON.stringify(body), isBase64Encoded: false }),
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      authorizer: { jwt: { claims, scopes: null } },
      requestId: 'r',
      routeKey: `${method} ${path}`,
    },
  } as unknown as APIGatewayProxyEventV2;
}

async function call(fn: typeof getProfile, e: APIGatewayProxyEventV2) {
  const result = (await fn(e, context)) as APIGatewayProxyStructuredResultV2;
  return { status: result.statusCode, body: result.body ? JSON.parse(result.body) : undefined };
}

const users: Record<string, { userId: string; tenantId: string; email: string; createdAt: string }> = {
  usr_alice: {
    userId: 'usr_alice',
    tenantId: 'ten_a',
    email: 'alice@a.test',
    createdAt: '2030-01-01T00:00:00.000Z',
  },
  usr_bob: {
    userId: 'usr_bob',
    tenantId: 'ten_a',
    email: 'bob@a.test',
    createdAt: '2030-01-01T00:00:00.000Z',
  },
};
let profiles: Record<string, Record<string, unknown>>;
let activity: Record<string, Record<string, unknown>>;

beforeEach(() => {
  ddb.reset();
  profiles = {
    usr_bob: {
      userId: 'usr_bob',
      tenantId: 'ten_a',
      displayName: 'Bob',
      isProfilePrivate: true,
      updatedAt: '2030-01-02T00:00:00.000Z',
    },
  };
  activity = {};
  ddb.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => {
    const id = input.Key.pk.replace('USER#', '');
    if (input.Key.sk === 'USER') return { Item: users[id] };
    if (input.Key.sk === 'PROFILE') return { Item: profiles[id] };
    if (input.Key.sk === 'ACTIVITY') return { Item: activity[id] };
    return {};
  });
});

describe('GET /profile/{userId}', () => {
  const get = (viewer: Claims, userId: string) =>
    call(getProfile, event('GET', `/profile/${userId}`, viewer, undefined, { userId }));

  it('shows a private profile to its owner and to Admins of the same tenant only', async () => {
    expect(await get(bob, 'usr_bob')).toMatchObject({ status: 200, body: { displayName: 'Bob' } });
    expect(await get(admin, 'usr_bob')).toMatchObject({ status: 200, body: { isProfilePrivate: true } });
    expect(await get(alice, 'usr_bob')).toMatchObject({
      status: 403,
      body: { error: { code: 'forbidden' } },
    });
    expect(await get(foreignAdmin, 'usr_bob')).toMatchObject({ status: 404 });
  });

  it('gives a user without a saved profile the empty public one, and 404 for an unknown user', async () => {
    expect(await get(bob, 'usr_alice')).toEqual({
      status: 200,
      body: {
        userId: 'usr_alice',
        displayName: null,
        bio: null,
        photoUrl: null,
        isProfilePrivate: false,
        updatedAt: '2030-01-01T00:00:00.000Z',
        commentCount: 0,
        lastActiveAt: null,
      },
    });
    expect(await get(bob, 'usr_nobody')).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found' } },
    });
  });

  it("shows activity's totals for the person (from PersonActivityChanged)", async () => {
    activity.usr_bob = {
      pk: 'USER#usr_bob',
      sk: 'ACTIVITY',
      tenantId: 'ten_a',
      commentCount: 3,
      lastActiveAt: '2030-01-03T00:00:00.000Z',
      countersVersion: 7,
    };
    expect(await get(admin, 'usr_bob')).toMatchObject({
      status: 200,
      body: { userId: 'usr_bob', commentCount: 3, lastActiveAt: '2030-01-03T00:00:00.000Z' },
    });
    // Nothing internal leaks into the answer.
    expect((await get(admin, 'usr_bob')).body).not.toHaveProperty('countersVersion');
  });

  it('refuses a request without verified claims (route deployed without its authorizer)', async () => {
    const e = event('GET', '/profile/usr_bob', {}, undefined, { userId: 'usr_bob' });
    delete (e.requestContext as { authorizer?: unknown }).authorizer;
    expect((await call(getProfile, e)).status).toBe(401);
  });
});

describe('PUT /profile', () => {
  const put = (caller: Claims, body: unknown) => call(updateProfile, event('PUT', '/profile', caller, body));
  const transactions = () => ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input);

  it("updates the caller's own profile and publishes ProfileUpdated in the same transaction", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const result = await put(alice, { displayName: 'Alice', bio: 'Hello', isProfilePrivate: true });
    expect(result).toMatchObject({
      status: 200,
      body: { userId: 'usr_alice', displayName: 'Alice', bio: 'Hello', isProfilePrivate: true },
    });
    const [tx] = transactions();
    const items = tx?.TransactItems ?? [];
    expect(items[0]?.Put?.Item).toMatchObject({ pk: 'USER#usr_alice', sk: 'PROFILE', displayName: 'Alice' });
    expect(items[0]?.Put?.ConditionExpression).toBe('attribute_not_exists(#pk)');
    const outbox = items.find((i) => String(i.Put?.Item?.pk).startsWith('OUTBOX#'))?.Put?.Item;
    expect(outbox?.detailType).toBe('ProfileUpdated');
    expect(JSON.parse(String(outbox?.message))).toMatchObject({
      tenantId: 'ten_a',
      userId: 'usr_alice',
      changedFields: ['displayName'],
      old: {},
      new: { displayName: 'Alice' },
    });
    // The display name is the user's too: their item moves to the next revision, with UserUpdated.
    const user = items.find((i) => i.Update?.Key?.sk === 'USER')?.Update;
    expect(user?.ExpressionAttributeValues).toMatchObject({
      ':displayName': 'Alice',
      ':next': 2,
      ':revision': 1,
    });
    const events = items.map((i) => i.Put?.Item).filter((item) => String(item?.pk).startsWith('OUTBOX#'));
    const updated = events.find((item) => item?.detailType === 'UserUpdated');
    expect(JSON.parse(String(updated?.message))).toMatchObject({
      userId: 'usr_alice',
      changedFields: ['displayName'],
      old: { email: 'alice@a.test', groups: [], status: 'active' },
      new: { email: 'alice@a.test', displayName: 'Alice', groups: [], status: 'active' },
      revision: 2,
      updatedBy: 'usr_alice',
    });
  });

  it('publishes nothing when only fields other services do not keep changed, and writes nothing for no change', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await put(bob, { bio: 'new bio' });
    const [tx] = transactions();
    expect(tx?.TransactItems?.some((i) => String(i.Put?.Item?.pk).startsWith('OUTBOX#'))).toBe(false);
    expect(tx?.TransactItems?.[0]?.Put?.ConditionExpression).toBe('#updatedAt = :previous');

    ddb.resetHistory();
    expect(await put(bob, { displayName: 'Bob' })).toMatchObject({ status: 200 });
    expect(transactions()).toHaveLength(0);
  });

  it('answers 400 with field details for bad input', async () => {
    const result = await put(alice, {
      bio: 'x'.repeat(501),
      photoUrl: 'javascript:alert(1)',
      isProfilePrivate: 'yes',
      userId: 'usr_bob',
    });
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('validation_failed');
    const paths = result.body.error.details.map((d: { path: string }) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['bio', 'photoUrl', 'isProfilePrivate']));
    expect(JSON.stringify(result.body.error.details)).toMatch(/userId/);
    expect((await put(alice, {})).status).toBe(400);
    expect(transactions()).toHaveLength(0);
  });

  it('retries after losing a race, then gives up with 409', async () => {
    const lost = new TransactionCanceledException({
      message: 'cancelled',
      $metadata: {},
      CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
    });
    ddb.on(TransactWriteCommand).rejectsOnce(lost).resolves({});
    expect((await put(bob, { bio: 'again' })).status).toBe(200);
    expect(transactions()).toHaveLength(2);

    ddb.reset();
    ddb.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => {
      const id = input.Key.pk.replace('USER#', '');
      return { Item: input.Key.sk === 'USER' ? users[id] : profiles[id] };
    });
    ddb.on(TransactWriteCommand).rejects(lost);
    expect(await put(bob, { bio: 'again' })).toMatchObject({ status: 409 });
  });
});
