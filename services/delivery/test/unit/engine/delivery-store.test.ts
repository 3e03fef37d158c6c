// The store's writes whose conditions carry the engine's guarantees (one attempt per claim, one
// EndpointDisabled per flip, never an UpdateItem that touches the API's attributes).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DeliveryStore } from '../../../src/adapters/delivery-store';
import { recordOutcome } from '../../../src/domain/engine';
import { message as pendingMessage, subscription as enabledSubscription, t0 } from '../fixtures';

const doc = mockClient(DynamoDBDocumentClient);
const store = new DeliveryStore(
  DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  () => 'delivery-test',
);
const message = pendingMessage({ status: 'failed', attempts: 2, scheduledAttempts: 2 });
const subscription = enabledSubscription({
  url: 'https://hooks.example.com/in',
  eventTypes: ['*'],
  secrets: [],
  failingSince: t0.toISOString(),
});

beforeEach(() => doc.reset());

describe('DeliveryStore', () => {
  describe('rate windows claimed in blocks', () => {
    // The shared counter: each ADD returns the total after it, as DynamoDB does.
    function counter() {
      const totals = new Map<string, number>();
      doc
        .on(UpdateCommand)
        .callsFake(
          (input: { Key: { pk: string; sk: string }; ExpressionAttributeValues: { ':places': number } }) => {
            const key = `${input.Key.pk}|${input.Key.sk}`;
            const total = (totals.get(key) ?? 0) + input.ExpressionAttributeValues[':places'];
            totals.set(key, total);
            return { Attributes: { count: total } };
          },
        );
    }
    const adds = () => doc.commandCalls(UpdateCommand).map((c) => c.args[0].input.ExpressionAttributeValues);

    it('hands out the places of one claim to concurrent attempts, one write per block', async () => {
      counter();
      const fresh = new DeliveryStore(
        DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
        () => 't',
      );
      const places = await Promise.all(
        Array.from({ length: 12 }, () => fresh.countInRateWindow('sub_1', 100, 10)),
      );
      expect([...places].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(adds()).toEqual([
        { ':places': 10, ':expires': 220 },
        { ':places': 10, ':expires': 220 },
      ]);
      // Another instance claiming meanwhile gets the places after this one's.
      const other = new DeliveryStore(
        DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
        () => 't',
      );
      expect(await other.countInRateWindow('sub_1', 100, 10)).toBe(21);
      // A new second starts a new window; another endpoint has its own.
      expect(await fresh.countInRateWindow('sub_1', 101, 10)).toBe(1);
      expect(await fresh.countInRateWindow('sub_2', 101, 10)).toBe(1);
    });

    it('claims one place per attempt with a block of one', async () => {
      counter();
      const fresh = new DeliveryStore(
        DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
        () => 't',
      );
      expect([
        await fresh.countInRateWindow('sub_1', 100),
        await fresh.countInRateWindow('sub_1', 100),
        await fresh.countInRateWindow('sub_1', 100),
      ]).toEqual([1, 2, 3]);
      expect(adds()).toHaveLength(3);
    });
  });

  it("shares one listing of a tenant's subscriptions among the callers asking while it is in flight", async () => {
    doc.on(QueryCommand).resolves({
      Items: [{ ...subscription, pk: 'TENANT#t1', sk: 'SUB#sub_1', kind: 'subscription' }],
    });
    const [a, b] = await Promise.all([store.listSubscriptions('t1'), store.listSubscriptions('t1')]);
    expect(doc.commandCalls(QueryCommand)).toHaveLength(1);
    expect(a).toEqual([subscription]);
    // Each caller has its own copy: an attempt marking its subscription slow changes no other's.
    a[0]!.slowUntil = t0.toISOString();
    expect(b[0]!.slowUntil).toBeUndefined();

    await store.listSubscriptions('t1');
    await store.listSubscriptions('t2');
    expect(doc.commandCalls(QueryCommand)).toHaveLength(3);
  });

  it('creates a message claimed for the attempt its creator makes at once', async () => {
    doc.on(PutCommand).resolves({});
    const until = new Date(t0.getTime() + 60_000);
    expect(await store.createMessage(pendingMessage(), 100, { requestId: 'msg_1.a1', until })).toBe(
      'created',
    );
    const item = doc.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(item).toMatchObject({ claimedBy: 'msg_1.a1', claimedUntil: until.getTime(), status: 'pending' });
    expect(doc.commandCalls(PutCommand)[0]!.args[0].input.ConditionExpression).toBe(
      'attribute_not_exists(#pk)',
    );

    await store.createMessage(pendingMessage(), 100);
    expect(doc.commandCalls(PutCommand)[1]!.args[0].input.Item).not.toHaveProperty('claimedBy');
  });

  it('claims a scheduled attempt only at its place in the schedule and with no live claim', async () => {
    doc
      .on(UpdateCommand)
      .resolves({ Attributes: { ...message, pk: 'x', sk: 'y', claimedBy: 'r1', claimedUntil: 1 } });
    const claimed = await store.claim(
      message,
      'r1',
      { scheduledAttemptsMade: 2 },
      t0,
      new Date(t0.getTime() + 60_000),
    );
    expect(claimed).toEqual(message);
    const input = doc.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ pk: 'EVENT#t1#e1', sk: 'MSG#sub_1' });
    expect(input.ConditionExpression).toContain('#status IN (:pending, :failed)');
    expect(input.ConditionExpression).toContain(
      '(attribute_not_exists(#claimedUntil) OR #claimedUntil < :now)',
    );
    expect(input.ExpressionAttributeValues).toMatchObject({ ':made': 2, ':rid': 'r1', ':now': t0.getTime() });

    doc
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('no'), { name: 'ConditionalCheckFailedException' }));
    expect(await store.claim(message, 'r1', {}, t0, t0)).toBeUndefined();
  });

  it('records the attempt, the message (only under its claim) and MessageExhausted in one transaction', async () => {
    doc.on(TransactWriteCommand).resolves({});
    const record = recordOutcome({
      request: { id: 'r1', attempt: 3, trigger: 'scheduled', notBefore: t0.toISOString() },
      message,
      subscription,
      result: { statusCode: 500, latencyMs: 7 },
      startedAt: t0,
      now: t0,
      settings: { schedule: [0, 1, 1], jitter: 0, maxQueueDelaySeconds: 900, disableAfterSeconds: 3600 },
      random: Math.random,
    });
    expect(await store.recordAttempt(message, record, 'r1', 123)).toBe('recorded');
    const items = doc.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items[0]!.Put!.Item).toMatchObject({
      pk: 'EVENT#t1#e1',
      sk: 'MSG#sub_1#ATT#00003',
      gsi1pk: 'SUB#sub_1',
      gsi1sk: `ATT#${t0.toISOString()}#e1#00003`,
      outcome: 'failed',
      requestId: 'r1',
      expiresAtEpoch: 123,
    });
    expect(items[1]!.Update!.ConditionExpression).toBe('#claimedBy = :rid');
    expect(items[1]!.Update!.ExpressionAttributeValues).toMatchObject({
      ':status': 'exhausted',
      ':attempts': 3,
    });
    expect(items[2]!.Put!.Item).toMatchObject({
      detailType: 'MessageExhausted',
      source: 'switchyard.delivery',
    });

    doc.on(TransactWriteCommand).rejects(
      Object.assign(new Error('cancelled'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    );
    expect(await store.recordAttempt(message, record, 'r1', 123)).toBe('lost');
  });

  it('writes a message not written before with its first attempt, in one transaction, only if it is absent', async () => {
    doc.on(TransactWriteCommand).resolves({});
    const fresh = pendingMessage();
    const settings = {
      schedule: [0, 3600],
      jitter: 0,
      maxQueueDelaySeconds: 900,
      disableAfterSeconds: 86_400,
    };
    const record = recordOutcome({
      request: { id: 'msg_1.a1', attempt: 1, trigger: 'scheduled', notBefore: t0.toISOString() },
      message: fresh,
      subscription,
      result: { statusCode: 503, latencyMs: 7 },
      startedAt: t0,
      now: t0,
      settings,
      random: Math.random,
    });
    expect(await store.recordFirstAttempt(fresh, record, 'msg_1.a1', 123)).toBe('recorded');
    const items = doc.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(2);
    expect(items[0]!.Put!.Item).toMatchObject({ sk: 'MSG#sub_1#ATT#00001', outcome: 'failed' });
    expect(items[1]!.Put!.ConditionExpression).toBe('attribute_not_exists(#pk)');
    // The message as the attempt left it, its creation time kept, the hour's wait in the due index.
    const item = items[1]!.Put!.Item!;
    expect(item).toMatchObject({
      pk: 'EVENT#t1#e1',
      sk: 'MSG#sub_1',
      gsi1pk: 'SUB#sub_1',
      gsi1sk: `MSG#${t0.toISOString()}#e1`,
      kind: 'message',
      status: 'failed',
      attempts: 1,
      scheduledAttempts: 1,
      lastRequestId: 'msg_1.a1',
      lastError: { statusCode: 503, message: expect.any(String) },
      createdAt: t0.toISOString(),
      dueAt: record.message.dueAt,
      duePk: expect.stringMatching(/^DUE#\d$/),
      expiresAtEpoch: 123,
    });
    expect(record.message.dueAt).toBeDefined();
    expect(item).not.toHaveProperty('claimedBy');
    expect(item).not.toHaveProperty('deliveredAt');

    doc.on(TransactWriteCommand).rejects(
      Object.assign(new Error('cancelled'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
      }),
    );
    expect(await store.recordFirstAttempt(fresh, record, 'msg_1.a1', 123)).toBe('lost');
  });

  it('disables an endpoint once, with EndpointDisabled in the same transaction, touching only health attributes', async () => {
    doc.on(TransactWriteCommand).resolves({});
    expect(
      await store.applyHealth(subscription, { kind: 'disable', reason: 'failing', at: t0.toISOString() }),
    ).toBe(true);
    const [update, outbox] = doc.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(update!.Update!.UpdateExpression).toBe(
      'SET #enabled = :false, #disabledReason = :reason, #disabledAt = :at',
    );
    expect(update!.Update!.ConditionExpression).toBe(
      'attribute_exists(#pk) AND #enabled = :true AND #failingSince = :since',
    );
    expect(JSON.parse(String(outbox!.Put!.Item!.message))).toMatchObject({
      subscriptionId: 'sub_1',
      url: 'https://hooks.example.com/in',
      reason: 'failing',
    });

    doc.on(TransactWriteCommand).rejects(
      Object.assign(new Error('cancelled'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }],
      }),
    );
    expect(
      await store.applyHealth(subscription, { kind: 'disable', reason: 'gone', at: t0.toISOString() }),
    ).toBe(false);
  });
});
