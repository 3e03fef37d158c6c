import { TransactionCanceledException, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HttpError } from '@switchyard/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { apiKeyFromItem, apiKeyItem, IdentityStore } from '../../../src/adapters/identity-store';
import { newApiKey } from '../../../src/domain/api-keys';
import { createTenant } from '../../../src/domain/tenants';
import { NOW, seededRandom } from '../domain/fixtures';

const TABLE = 'identity-test';
const ddb = mockClient(DynamoDBDocumentClient);
const store = () =>
  new IdentityStore(TABLE, DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })));

const created = () =>
  createTenant({ name: 'Acme', adminEmail: 'Ann@Example.com' }, { now: NOW, random: seededRandom('t') });
const key = (overrides: Partial<ReturnType<typeof newApiKey>['record']> = {}) => ({
  ...newApiKey(
    { tenantId: created().tenant.tenantId, role: 'admin', ownerEmail: 'ann@example.com' },
    { now: NOW, random: seededRandom('k') },
  ).record,
  ...overrides,
});

/** Every expression in a request names attributes only through ExpressionAttributeNames. */
function expectNamedAttributes(input: Record<string, unknown>) {
  for (const field of [
    'ConditionExpression',
    'UpdateExpression',
    'KeyConditionExpression',
    'FilterExpression',
  ]) {
    const expression = input[field];
    if (typeof expression !== 'string') continue;
    const bare = expression
      .replace(/#[A-Za-z]+|:[A-Za-z]+/g, '')
      .replace(/\b(AND|OR|NOT|SET|attribute_exists|attribute_not_exists|begins_with)\b/g, '');
    expect(bare).not.toMatch(/[A-Za-z]/);
  }
}

beforeEach(() => ddb.reset());

describe('IdentityStore.createTenant', () => {
  it('writes tenant, user, e-mail claim, key and three outbox events in one conditional transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const tenant = created();

    await store().createTenant(tenant);

    const calls = ddb.commandCalls(TransactWriteCommand);
    expect(calls).toHaveLength(1);
    const items = calls[0]!.args[0].input.TransactItems!;
    expect(items.map((i) => i.Put?.Item?.pk)).toEqual([
      `TENANT#${tenant.tenant.tenantId}`,
      `USER#${tenant.adminUser.userId}`,
      'EMAIL#ann@example.com',
      `KEY#${tenant.apiKey.record.keyId}`,
      expect.stringMatching(/^OUTBOX#/),
      expect.stringMatching(/^OUTBOX#/),
      expect.stringMatching(/^OUTBOX#/),
    ]);
    expect(items.map((i) => i.Put?.Item?.detailType).slice(4)).toEqual([
      'TenantCreated',
      'UserCreated',
      'ApiKeyCreated',
    ]);
    for (const item of items) {
      expect(item.Put?.ConditionExpression).toBe('attribute_not_exists(#pk)');
      expect(item.Put?.TableName).toBe(TABLE);
    }
    // The plaintext key is never written anywhere; the hash is.
    const written = JSON.stringify(items);
    expect(written).not.toContain(tenant.apiKey.plaintext);
    expect(written).toContain(tenant.apiKey.record.secretHash);
    expect(items[1]!.Put?.Item).toMatchObject({
      gsi1pk: `TENANT#${tenant.tenant.tenantId}`,
      gsi1sk: `USER#${tenant.adminUser.userId}`,
    });
  });

  it('turns a failed e-mail claim into a 409 that does not echo the address', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [
          { Code: 'None' },
          { Code: 'None' },
          { Code: 'ConditionalCheckFailed' },
          { Code: 'None' },
        ],
      }),
    );
    const error = await store()
      .createTenant(created())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 409, code: 'email_taken' });
    expect((error as Error).message).not.toContain('ann@example.com');
  });

  it('lets any other failure through (a bug is a 500, not a 409)', async () => {
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
      }),
    );
    const error = await store()
      .createTenant(created())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionCanceledException);
  });
});

describe('IdentityStore API keys', () => {
  it('maps a key to its item (gsi1 by tenant, gsi2 by owner) and back without table plumbing', () => {
    const record = key();
    const item = apiKeyItem(record);
    expect(item).toMatchObject({
      pk: `KEY#${record.keyId}`,
      sk: 'KEY',
      gsi1pk: `TENANT#${record.tenantId}`,
      gsi1sk: `KEY#${record.createdAt}#${record.keyId}`,
      gsi2pk: 'KEYOWNER#ann@example.com',
      gsi2sk: `KEY#${record.keyId}`,
    });
    expect(apiKeyFromItem(item)).toEqual(record);
    expect(apiKeyItem(key({ ownerEmail: undefined }))).not.toHaveProperty('gsi2pk');
  });

  it('looks a key up with one consistent GetItem, and never for a string that cannot be a key id', async () => {
    const record = key();
    ddb.on(GetCommand).resolves({ Item: apiKeyItem(record) });
    await expect(store().getApiKey(record.keyId)).resolves.toEqual(record);
    expect(ddb.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
      Key: { pk: `KEY#${record.keyId}`, sk: 'KEY' },
      ConsistentRead: true,
    });
    await expect(store().getApiKey('KEY#../../x')).resolves.toBeUndefined();
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('revokes with the status change and ApiKeyRevoked in one conditional transaction', async () => {
    const record = key();
    ddb.on(GetCommand).resolves({ Item: apiKeyItem(record) });
    ddb.on(TransactWriteCommand).resolves({});

    await expect(
      store().revokeApiKey(record.tenantId, record.keyId, { now: NOW, revokedBy: 'usr_x' }),
    ).resolves.toBe('revoked');

    const [update, outbox] = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(update!.Update).toMatchObject({
      Key: { pk: `KEY#${record.keyId}`, sk: 'KEY' },
      ExpressionAttributeValues: {
        ':revoked': 'revoked',
        ':tenantId': record.tenantId,
        ':revokedAt': NOW.toISOString(),
      },
    });
    expectNamedAttributes(update!.Update as Record<string, unknown>);
    expect(outbox!.Put?.Item).toMatchObject({ detailType: 'ApiKeyRevoked' });
    expect(JSON.parse(String(outbox!.Put?.Item?.message))).toMatchObject({
      keyId: record.keyId,
      revokedBy: 'usr_x',
    });
  });

  it('does not write (nor publish) again for a key already revoked', async () => {
    const record = key({ status: 'revoked', revokedAt: NOW.toISOString() });
    ddb.on(GetCommand).resolves({ Item: apiKeyItem(record) });
    await expect(store().revokeApiKey(record.tenantId, record.keyId, { now: NOW })).resolves.toBe(
      'already_revoked',
    );
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it("treats another tenant's key as not found", async () => {
    const record = key();
    ddb.on(GetCommand).resolves({ Item: apiKeyItem(record) });
    await expect(
      store().revokeApiKey('ten_01JZZZZZZZZZZZZZZZZZZZZZZZ', record.keyId, { now: NOW }),
    ).resolves.toBe('not_found');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('treats losing a revocation race as already revoked (the winner published the event)', async () => {
    const record = key();
    ddb.on(GetCommand).resolves({ Item: apiKeyItem(record) });
    ddb.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({
        message: 'cancelled',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );
    await expect(store().revokeApiKey(record.tenantId, record.keyId, { now: NOW })).resolves.toBe(
      'already_revoked',
    );
  });

  it('records last-used with a cut-off condition and swallows the condition failure', async () => {
    ddb
      .on(UpdateCommand)
      .resolvesOnce({})
      .rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));
    await expect(store().recordLastUsed('k', NOW)).resolves.toBe(true);
    await expect(store().recordLastUsed('k', NOW)).resolves.toBe(false);
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toContain('#lastUsedAt < :cutoff');
    expect(input.ExpressionAttributeValues).toEqual({
      ':now': NOW.toISOString(),
      ':cutoff': '2025-06-01T11:55:00.000Z',
    });
    expectNamedAttributes(input as Record<string, unknown>);
  });

  it('lists a tenant newest first on gsi1, one page, passing the start key through', async () => {
    const record = key();
    ddb.on(QueryCommand).resolves({ Items: [apiKeyItem(record)], LastEvaluatedKey: { pk: 'x' } });
    const page = await store().listApiKeys(record.tenantId, { limit: 2, startKey: { pk: 'y' } });
    expect(page).toEqual({ items: [record], lastKey: { pk: 'x' } });
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      IndexName: 'gsi1',
      ScanIndexForward: false,
      Limit: 2,
      ExclusiveStartKey: { pk: 'y' },
    });
    expectNamedAttributes(input as Record<string, unknown>);
  });
});

describe('IdentityStore.cursorSecret', () => {
  it('creates the secret once with a conditional put, then reads the winner back and caches it', async () => {
    const secret = Buffer.alloc(32, 7);
    ddb
      .on(GetCommand)
      .resolvesOnce({})
      .resolves({ Item: { pk: 'SECRET#cursor', sk: 'SECRET', secret: secret.toString('base64') } });
    ddb
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'someone else won', $metadata: {} }));

    const s = store();
    await expect(s.cursorSecret()).resolves.toEqual(secret);
    await expect(s.cursorSecret()).resolves.toEqual(secret);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(2);
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toMatchObject({
      Item: { pk: 'SECRET#cursor', sk: 'SECRET' },
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
  });
});
