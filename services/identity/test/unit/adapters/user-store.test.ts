import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { HttpError } from '@switchyard/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { UserStore } from '../../../src/adapters/user-store';
import type { UserRecord } from '../../../src/domain/users';
import { planUserUpdate } from '../../../src/domain/users';
import { aUser, at, minutes, NOW } from '../domain/fixtures';

const TABLE = 'identity-test';
const TENANT = 'ten_01JX0000000000000000000000';
const ddb = mockClient(DynamoDBDocumentClient);
const store = () =>
  new UserStore(TABLE, DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })));

const user = (overrides: Partial<UserRecord> = {}) =>
  aUser({ tenantId: TENANT, emailVerified: false, invitedBy: 'key:abc', ...overrides });

function cancelled(codes: string[]) {
  return new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code }) as CancellationReason),
  });
}

const transaction = () => ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
const outbox = (items: ReturnType<typeof transaction>) =>
  items
    .map((item) => item.Put?.Item)
    .filter((item) => String(item?.pk).startsWith('OUTBOX#'))
    .map((item) => ({ detailType: item?.detailType, message: JSON.parse(String(item?.message)) }));

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({ Item: { pk: `TENANT#${TENANT}`, sk: 'TENANT', adminCount: 2 } });
});

describe('UserStore.inviteUser', () => {
  it('claims the address first, writes the user and UserCreated, and counts a new admin, in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store().inviteUser(user());
    const items = transaction();
    expect(items[0]?.Put).toMatchObject({
      Item: { pk: 'EMAIL#ann@example.com', sk: 'EMAIL', userId: user().userId, tenantId: TENANT },
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
    expect(items[1]?.Put?.Item).toMatchObject({
      pk: `USER#${user().userId}`,
      sk: 'USER',
      gsi1pk: `TENANT#${TENANT}`,
      gsi1sk: `USER#${user().userId}`,
      status: 'active',
      revision: 1,
      sessionEpoch: 0,
    });
    expect(outbox(items)).toEqual([
      {
        detailType: 'UserCreated',
        message: expect.objectContaining({
          tenantId: TENANT,
          userId: user().userId,
          email: 'ann@example.com',
          role: 'admin',
          groups: ['Admins'],
          status: 'active',
          invitedBy: 'key:abc',
        }),
      },
    ]);
    expect(items.at(-1)?.Update).toMatchObject({
      Key: { pk: `TENANT#${TENANT}`, sk: 'TENANT' },
      UpdateExpression: 'SET #adminCount = #adminCount + :delta',
      ExpressionAttributeValues: { ':delta': 1 },
    });
  });

  it('does not touch the admin count for someone outside Admins', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store().inviteUser(user({ groups: [], role: 'viewer' }));
    expect(transaction().some((item) => item.Update)).toBe(false);
  });

  it('answers an address in use with 409 email_taken, naming neither the address nor a tenant', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None', 'None', 'None']));
    const error = (await store()
      .inviteUser(user())
      .catch((e: unknown) => e)) as HttpError;
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 409, code: 'email_taken' });
    expect(error.message).not.toContain('ann@example.com');
  });
});

describe('UserStore.updateUser', () => {
  const demote = () => {
    const change = planUserUpdate(user({ revision: 4 }), { groups: [] }, at(NOW, minutes(1)));
    if (change.outcome !== 'changed') throw new Error('expected a change');
    return change;
  };

  it('updates the user on the revision read, publishes UserUpdated, and decrements the count only while another admin remains', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await expect(store().updateUser(user({ revision: 4 }), demote(), 'usr_actor')).resolves.toBe('written');
    const items = transaction();
    expect(items[0]?.Update).toMatchObject({
      Key: { pk: `USER#${user().userId}`, sk: 'USER' },
      ConditionExpression:
        'attribute_exists(#pk) AND (attribute_not_exists(#revision) OR #revision = :revision)',
      ExpressionAttributeValues: expect.objectContaining({
        ':revision': 4,
        ':next': 5,
        ':groups': [],
        ':role': 'viewer',
      }),
    });
    expect(items[0]?.Update?.UpdateExpression).toContain('REMOVE #displayName');
    expect(outbox(items)[0]).toMatchObject({
      detailType: 'UserUpdated',
      message: {
        changedFields: ['groups'],
        revision: 5,
        updatedBy: 'usr_actor',
        old: { groups: ['Admins'] },
        new: { groups: [] },
      },
    });
    expect(items.at(-1)?.Update).toMatchObject({
      ConditionExpression: 'attribute_exists(#pk) AND #adminCount > :one',
      ExpressionAttributeValues: { ':delta': -1, ':one': 1 },
    });
  });

  it('maps a lost count condition to last_admin, any other lost condition or a clash to stale', async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'None', 'ConditionalCheckFailed']));
    await expect(store().updateUser(user({ revision: 4 }), demote(), 'usr_actor')).resolves.toBe(
      'last_admin',
    );
    ddb.on(TransactWriteCommand).rejects(cancelled(['ConditionalCheckFailed', 'None', 'None']));
    await expect(store().updateUser(user({ revision: 4 }), demote(), 'usr_actor')).resolves.toBe('stale');
    ddb.on(TransactWriteCommand).rejects(cancelled(['None', 'None', 'TransactionConflict']));
    await expect(store().updateUser(user({ revision: 4 }), demote(), 'usr_actor')).resolves.toBe('stale');
    ddb.on(TransactWriteCommand).rejects(new Error('throttled'));
    await expect(store().updateUser(user({ revision: 4 }), demote(), 'usr_actor')).rejects.toThrow(
      'throttled',
    );
  });
});

describe('UserStore.removeUser', () => {
  it("deletes the user, the claim, the profile and activity's totals with UserRemoved, and counts one admin fewer", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    await store().removeUser(user({ displayName: 'Ann' }), { removedBy: 'key:abc', now: NOW });
    const items = transaction();
    expect(items.map((item) => item.Delete?.Key ?? item.Update?.Key ?? 'outbox')).toEqual([
      { pk: `USER#${user().userId}`, sk: 'USER' },
      'outbox',
      { pk: 'EMAIL#ann@example.com', sk: 'EMAIL' },
      { pk: `USER#${user().userId}`, sk: 'PROFILE' },
      { pk: `USER#${user().userId}`, sk: 'ACTIVITY' },
      { pk: `TENANT#${TENANT}`, sk: 'TENANT' },
    ]);
    expect(items[2]?.Delete?.ExpressionAttributeValues).toEqual({ ':userId': user().userId });
    expect(outbox(items)[0]?.message).toMatchObject({
      userId: user().userId,
      email: 'ann@example.com',
      displayName: 'Ann',
      groups: ['Admins'],
      role: 'admin',
      status: 'active',
      removedBy: 'key:abc',
      removedAt: NOW.toISOString(),
    });
  });
});

describe('UserStore.ensureAdminCount', () => {
  it("counts a tenant's active admins once for a tenant created before the count existed", async () => {
    ddb.on(GetCommand).resolves({ Item: { pk: `TENANT#${TENANT}`, sk: 'TENANT' } });
    ddb.on(QueryCommand).resolves({
      Items: [
        { userId: 'usr_1', tenantId: TENANT, groups: ['Admins'] },
        { userId: 'usr_2', tenantId: TENANT, groups: ['Admins'], status: 'suspended' },
        { userId: 'usr_3', tenantId: TENANT, groups: ['Viewers'] },
        { userId: 'usr_4', tenantId: TENANT, groups: ['Admins', 'Viewers'], status: 'active' },
      ],
    });
    ddb.on(UpdateCommand).resolves({});
    await store().ensureAdminCount(TENANT);
    expect(ddb.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      UpdateExpression: 'SET #adminCount = :count',
      ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#adminCount)',
      ExpressionAttributeValues: { ':count': 2 },
    });

    ddb.reset();
    ddb.on(GetCommand).resolves({ Item: { pk: `TENANT#${TENANT}`, sk: 'TENANT', adminCount: 1 } });
    await store().ensureAdminCount(TENANT);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
