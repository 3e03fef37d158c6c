import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createProjectionStore, keyItemKey } from '../../../src/adapters/projections';
import { header, makeKey, NOW, TENANT } from '../domain/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const store = createProjectionStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  () => 'state',
);
const key = makeKey();

const created = {
  detailType: 'ApiKeyCreated' as const,
  message: {
    ...header('m1', NOW.toISOString()),
    keyId: key.keyId,
    role: 'creator' as const,
    status: 'active' as const,
    secretHash: key.secretHash,
    createdAt: NOW.toISOString(),
  },
};

describe('projection store', () => {
  beforeEach(() => ddb.reset());

  it('writes a first record only if none exists', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    await expect(store.applyApiKeyEvent(created)).resolves.toMatchObject({ outcome: 'applied' });
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toMatchObject({
      Item: { ...keyItemKey(key.keyId), status: 'active', revision: 1 },
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
  });

  it('re-reads and re-applies when a concurrent delivery wrote first (revision condition)', async () => {
    const revoked = {
      ...keyItemKey(key.keyId),
      keyId: key.keyId,
      tenantId: TENANT,
      status: 'revoked',
      revokedAt: NOW.toISOString(),
      stamp: { time: NOW.toISOString(), messageId: 'm2' },
      revision: 1,
    };
    ddb.on(GetCommand).resolvesOnce({}).resolves({ Item: revoked });
    ddb
      .on(PutCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }))
      .resolves({});
    const result = await store.applyApiKeyEvent(created);
    // The late Created fills the secret hash but the key stays revoked.
    expect(result).toMatchObject({
      outcome: 'applied',
      record: { status: 'revoked', secretHash: key.secretHash, revision: 2 },
    });
    expect(ddb.commandCalls(PutCommand)[1]!.args[0].input).toMatchObject({
      ConditionExpression: '#revision = :revision',
      ExpressionAttributeValues: { ':revision': 1 },
    });
  });

  it('writes nothing for a redelivered message', async () => {
    ddb.on(GetCommand).resolves({
      Item: {
        ...keyItemKey(key.keyId),
        keyId: key.keyId,
        tenantId: TENANT,
        role: 'creator',
        status: 'active',
        secretHash: key.secretHash,
        stamp: { time: NOW.toISOString(), messageId: 'm1' },
        revision: 1,
      },
    });
    await expect(store.applyApiKeyEvent(created)).resolves.toMatchObject({
      outcome: 'ignored',
      reason: 'redelivered',
    });
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });
});
