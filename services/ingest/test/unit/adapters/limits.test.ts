import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { HttpError } from '@switchyard/runtime';
import type { Entitlement } from '../../../src/domain/entitlements';
import { createLimits, usageItemKey } from '../../../src/adapters/limits';
import { rateItemKey } from '../../../src/domain/rate-limit';
import type { ProjectionStore } from '../../../src/adapters/projections';
import { createWriteMeter } from '../../../src/adapters/write-meter';
import { NOW, TENANT } from '../domain/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const subject = { tenantId: TENANT, keyId: 'key1' };

function limitsWith(entitlement: Partial<Entitlement> | undefined) {
  const projections = {
    getEntitlement: jest.fn(async () =>
      entitlement
        ? ({
            tenantId: TENANT,
            status: 'active',
            plan: 'pro',
            quotas: { eventsPerMonth: 100, requestsPerSecond: 10 },
            origin: 'billing',
            revision: 1,
            ...entitlement,
          } as Entitlement)
        : undefined,
    ),
  } as unknown as ProjectionStore;
  return createLimits({ client, tableName: () => 'state', projections: () => projections, now: () => NOW });
}

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('limits', () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({});
  });

  it('admits with ONE conditional UpdateItem and returns the RateLimit headers (default entitlement)', async () => {
    ddb.on(UpdateCommand).resolves({
      ConsumedCapacity: { TableName: 'state', CapacityUnits: 1, WriteCapacityUnits: 1 },
    });
    const meter = createWriteMeter();
    const admission = await limitsWith(undefined).admit(subject, 1, meter);
    expect(admission.entitlement.origin).toBe('default');
    // The key's 5/s with a burst of 3 is stricter than the tenant's 10/s with a burst of 5.
    expect(admission.headers).toEqual({
      'RateLimit-Limit': '5',
      'RateLimit-Remaining': '2',
      'RateLimit-Reset': '1',
    });
    const updates = ddb.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    expect(updates[0]!.args[0].input).toMatchObject({
      Key: { pk: rateItemKey(TENANT, NOW).pk, sk: 'RATE' },
      ExpressionAttributeNames: { '#expiresAt': 'expiresAtEpoch', '#t': 'tat', '#k': 'k#key1' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(meter.writes).toBe(1);
  });

  it('answers 429 rate_limited with Retry-After and RateLimit-* when the stored state refuses', async () => {
    // Another instance moved the key's tat 1.5 s ahead: this instance's guess fails, and it refuses.
    ddb.on(UpdateCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'failed',
        $metadata: {},
        Item: { tat: { N: String(NOW.getTime() + 100) }, 'k#key1': { N: String(NOW.getTime() + 1_500) } },
      }),
    );
    const meter = createWriteMeter();
    const limits = limitsWith(undefined);
    const error = await refusal(limits.admit(subject, 1, meter));
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', details: { limitedBy: 'key' } });
    expect(error.headers).toMatchObject({
      'Retry-After': '2',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '2',
    });
    expect(meter.writes).toBe(1);
    // The instance now knows: the next refusal costs no write at all.
    await refusal(limits.admit(subject, 1, meter));
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(1);
  });

  it('answers 402 for a subscription not in good standing, writing nothing', async () => {
    const error = await refusal(limitsWith({ status: 'past_due' }).admit(subject, 1, createWriteMeter()));
    expect(error).toMatchObject({ status: 402, code: 'payment_required' });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('answers 429 quota_exhausted when the month is used up, and keeps what fits of a batch', async () => {
    ddb.on(UpdateCommand).resolves({ Attributes: { tenantCount: 1, 'k#key1': 1 } });
    ddb
      .on(GetCommand, { TableName: 'state', Key: usageItemKey(TENANT, '2025-06') })
      .resolves({ Item: { events: 100 } });
    const error = await refusal(limitsWith({}).admit(subject, 1, createWriteMeter()));
    expect(error).toMatchObject({ status: 429, code: 'quota_exhausted' });

    ddb.on(GetCommand).resolves({ Item: { events: 97 } });
    const fresh = limitsWith({});
    await expect(fresh.admit(subject, 10, createWriteMeter())).resolves.toMatchObject({ allowedEvents: 3 });
  });

  it('adds usage with one ADD per call', async () => {
    ddb.on(UpdateCommand).resolves({});
    await limitsWith(undefined).addUsage(TENANT, 7, NOW);
    expect(ddb.commandCalls(UpdateCommand)[0]!.args[0].input).toMatchObject({
      Key: usageItemKey(TENANT, '2025-06'),
      UpdateExpression: 'ADD #events :count SET #ttl = if_not_exists(#ttl, :ttl)',
      ExpressionAttributeValues: { ':count': 7 },
    });
  });
});
