// The API's writes where the point is the DynamoDB call: PATCH writes only the attributes that
// change (the engine writes others of the same item), rotation is conditioned on the secrets read,
// and listings are keyed by the caller's tenant with signed, scoped cursors.
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { CURSOR_SECRET_KEY, InvalidCursorError } from '@switchyard/runtime';
import { mockClient } from 'aws-sdk-client-mock';
import { ApiStore } from '../../../src/adapters/api-store';
import type { Subscription } from '../../../src/domain/model';
import { newSubscription, planSubscriptionUpdate } from '../../../src/domain/subscriptions';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const NOW = new Date('2026-03-01T12:00:00.000Z');
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    ...newSubscription({ tenantId: 'ten_A', url: 'https://x.test/h', eventTypes: ['a.*'] }, NOW, (n) =>
      new Uint8Array(n).fill(3),
    ),
    ...overrides,
  };
}

let store: ApiStore;
beforeEach(() => {
  ddb.reset();
  store = new ApiStore(client, () => 'delivery-test');
  ddb
    .on(GetCommand, { Key: CURSOR_SECRET_KEY })
    .resolves({ Item: { ...CURSOR_SECRET_KEY, secret: Buffer.alloc(32, 1).toString('base64') } });
});

describe('ApiStore', () => {
  it('creates with a conditional put under the tenant', async () => {
    const sub = subscription();
    ddb.on(PutCommand).resolves({});
    await store.createSubscription(sub);
    const input = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      TableName: 'delivery-test',
      Item: { pk: 'TENANT#ten_A', sk: `SUB#${sub.subscriptionId}`, secrets: sub.secrets },
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
  });

  it('PATCH: one UpdateItem of the changed attributes only, conditioned on existence', async () => {
    const current = subscription({ enabled: false, disabledReason: 'gone', failingSince: NOW.toISOString() });
    ddb.on(UpdateCommand).resolves({ Attributes: { ...current, pk: 'x', sk: 'y', enabled: true } });
    const changes = planSubscriptionUpdate(current, { enabled: true, description: null }, NOW);
    const updated = await store.updateSubscription('ten_A', current.subscriptionId, changes);
    expect(updated).not.toHaveProperty('pk');
    const input = ddb.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ pk: 'TENANT#ten_A', sk: `SUB#${current.subscriptionId}` });
    expect(input.UpdateExpression).toBe(
      'SET #updatedAt = :updatedAt, #enabled = :enabled REMOVE #description, #disabledReason, #disabledAt, #failingSince',
    );
    expect(input.ConditionExpression).toBe('attribute_exists(#pk)');
    expect(JSON.stringify(input)).not.toMatch(/secrets|url|eventTypes/);
  });

  it('PATCH and DELETE of a missing subscription are undefined / false', async () => {
    ddb.on(UpdateCommand).rejects(conditionFailed());
    ddb.on(DeleteCommand).rejects(conditionFailed());
    await expect(
      store.updateSubscription('ten_A', 'sub_x', { set: { updatedAt: 'now' }, remove: [] }),
    ).resolves.toBeUndefined();
    await expect(store.deleteSubscription('ten_A', 'sub_x')).resolves.toBe(false);
  });

  it('rotation writes the new list conditioned on the list it read, and retries on a concurrent change', async () => {
    const first = subscription();
    const raced = {
      ...first,
      secrets: [{ secret: 'whsec_other', createdAt: NOW.toISOString() }, ...first.secrets],
    };
    ddb
      .on(GetCommand, { Key: { pk: 'TENANT#ten_A', sk: `SUB#${first.subscriptionId}` } })
      .resolvesOnce({ Item: first })
      .resolves({ Item: raced });
    ddb.on(UpdateCommand).rejectsOnce(conditionFailed()).resolves({});
    const secrets = await store.rotateSecret('ten_A', first.subscriptionId, 'whsec_new', NOW);
    expect(secrets?.map((s) => s.secret)).toEqual(['whsec_new', 'whsec_other', first.secrets[0]!.secret]);
    const calls = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({
      ConditionExpression: 'attribute_exists(#pk) AND #secrets = :read',
      ExpressionAttributeValues: { ':read': raced.secrets },
    });
  });

  it('pages subscriptions with limit + 1 and a cursor only another page can use', async () => {
    const items = [1, 2, 3].map((n) => ({
      pk: 'TENANT#ten_A',
      sk: `SUB#sub_${n}`,
      ...subscription({ subscriptionId: `sub_${n}` }),
    }));
    ddb.on(QueryCommand).resolves({ Items: items });
    const page = await store.listSubscriptions('ten_A', { limit: 2 });
    expect(page.items.map((s) => s.subscriptionId)).toEqual(['sub_1', 'sub_2']);
    expect(page.hasMore).toBe(true);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      ExpressionAttributeValues: { ':pk': 'TENANT#ten_A' },
      Limit: 3,
    });

    await store.listSubscriptions('ten_A', { limit: 2, cursor: page.nextCursor! });
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({
      pk: 'TENANT#ten_A',
      sk: 'SUB#sub_2',
    });
    await expect(
      store.listSubscriptions('ten_B', { limit: 2, cursor: page.nextCursor! }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(
      store.listAttempts('ten_A', 'sub_1', { limit: 2, cursor: page.nextCursor! }),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it("reads an event's deliveries from the caller's tenant's partition only", async () => {
    ddb.on(QueryCommand).resolves({
      Items: [
        {
          pk: 'EVENT#ten_A#evt_1',
          sk: 'EVENT',
          tenantId: 'ten_A',
          eventId: 'evt_1',
          eventType: 't',
          receivedAt: 'r',
          data: '{}',
        },
        { pk: 'EVENT#ten_A#evt_1', sk: 'MSG#sub_1', gsi1pk: 'SUB#sub_1', subscriptionId: 'sub_1' },
        { pk: 'EVENT#ten_A#evt_1', sk: 'MSG#sub_1#ATT#00001', subscriptionId: 'sub_1', attempt: 1 },
      ],
    });
    const found = await store.getEventDeliveries('ten_A', 'evt_1');
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input.ExpressionAttributeValues).toEqual({
      ':pk': 'EVENT#ten_A#evt_1',
    });
    expect(found.event?.eventId).toBe('evt_1');
    expect(found.messages).toEqual([{ subscriptionId: 'sub_1' }]);
    expect(found.attempts).toEqual([{ subscriptionId: 'sub_1', attempt: 1 }]);
  });

  it('recovers failed, exhausted and held messages since a time, and resumes after the last one taken', async () => {
    const item = (n: number) => ({
      pk: `EVENT#ten_A#evt_${n}`,
      sk: 'MSG#sub_1',
      gsi1pk: 'SUB#sub_1',
      gsi1sk: `MSG#2026-03-01T00:00:0${n}.000Z#evt_${n}`,
      eventId: `evt_${n}`,
      status: 'failed',
    });
    ddb.on(QueryCommand).resolves({ Items: [item(1), item(2), item(3)], LastEvaluatedKey: { pk: 'x' } });
    const first = await store.listRecoverableMessages('ten_A', 'sub_1', '2026-03-01T00:00:00Z', 2);
    expect(first.messages.map((m) => m.eventId)).toEqual(['evt_1', 'evt_2']);
    const input = ddb.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      IndexName: 'bySubscription',
      KeyConditionExpression: '#gsi1pk = :gsi1pk AND #gsi1sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':gsi1pk': 'SUB#sub_1',
        ':from': 'MSG#2026-03-01T00:00:00.000Z',
        ':tenantId': 'ten_A',
        ':s0': 'failed',
        ':s1': 'exhausted',
        ':s2': 'held',
      },
    });
    expect(first.nextCursor).toEqual(expect.any(String));

    ddb.on(QueryCommand).resolves({ Items: [item(3)] });
    const rest = await store.listRecoverableMessages(
      'ten_A',
      'sub_1',
      '2026-03-01T00:00:00Z',
      2,
      first.nextCursor!,
    );
    expect(ddb.commandCalls(QueryCommand)[1]!.args[0].input.ExclusiveStartKey).toEqual({
      pk: 'EVENT#ten_A#evt_2',
      sk: 'MSG#sub_1',
      gsi1pk: 'SUB#sub_1',
      gsi1sk: 'MSG#2026-03-01T00:00:02.000Z#evt_2',
    });
    expect(rest).toEqual({ messages: [expect.objectContaining({ eventId: 'evt_3' })], nextCursor: null });
    // The cursor is bound to the same since.
    await expect(
      store.listRecoverableMessages('ten_A', 'sub_1', '2026-02-01T00:00:00Z', 2, first.nextCursor!),
    ).rejects.toBeInstanceOf(InvalidCursorError);
  });
});
