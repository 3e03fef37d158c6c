import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { IngestedEvent } from '../../../src/domain/events';
import {
  createEventStore,
  fromEventItem,
  idempotencyItemKey,
  isEventItem,
  newEventId,
  toEventItem,
} from '../../../src/adapters/event-store';
import { createWriteMeter } from '../../../src/adapters/write-meter';
import { NOW, TENANT } from '../domain/fixtures';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const store = createEventStore(
  client,
  () => 'events',
  () => NOW,
);

const event = (overrides: Partial<IngestedEvent> = {}): IngestedEvent => ({
  format: 'native',
  eventType: 'order.placed',
  payload: { a: 1 },
  source: 'api',
  attributes: {},
  tenantId: TENANT,
  eventId: '01JX0000000000000000000000',
  receivedAt: NOW.toISOString(),
  apiKeyId: 'key1',
  ...overrides,
});

const cancelled = (reasons: { Code: string; Item?: Record<string, unknown> }[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: reasons.map((r) => ({
      Code: r.Code,
      ...(r.Item ? { Item: marshall(r.Item) } : {}),
    })),
  });

describe('event store', () => {
  beforeEach(() => ddb.reset());

  describe('events without keys, many at once', () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => event({ eventId: `01JX${String(i).padStart(22, '0')}` }));

    it('writes them 25 to a BatchWriteItem, writes again what DynamoDB left unprocessed, and meters every item', async () => {
      const events = many(30);
      let calls = 0;
      ddb
        .on(BatchWriteCommand)
        .callsFake(
          (input: { RequestItems: Record<string, { PutRequest: { Item: Record<string, unknown> } }[]> }) => {
            calls += 1;
            const requests = input.RequestItems.events!;
            // The first answer leaves two items of the first chunk unprocessed.
            const left = calls === 1 && requests.length === 25 ? requests.slice(3, 5) : [];
            return {
              UnprocessedItems: left.length ? { events: left } : {},
              ConsumedCapacity: [{ TableName: 'events', CapacityUnits: requests.length - left.length }],
            };
          },
        );
      const meter = createWriteMeter();
      const outcomes = await store.acceptMany(events, meter, 'corr-1');
      const sizes = ddb
        .commandCalls(BatchWriteCommand)
        .map((c) => c.args[0].input.RequestItems!.events!.length);
      expect(sizes.sort((a, b) => a - b)).toEqual([2, 5, 25]);
      expect(outcomes.map((o) => o.status)).toEqual(Array(30).fill('fulfilled'));
      expect(outcomes[4]).toEqual({
        status: 'fulfilled',
        value: { duplicate: false, body: expect.objectContaining({ event_id: events[4]!.eventId }) },
      });
      const item =
        ddb.commandCalls(BatchWriteCommand)[0]!.args[0].input.RequestItems!.events![0]!.PutRequest!.Item!;
      expect(item).toEqual(expect.objectContaining({ kind: 'event', correlationId: 'corr-1' }));
      expect(meter.writes).toBe(32);
      expect(meter.writeUnits).toBe(30);
    });

    it('reports as not stored only what was not written when a write fails', async () => {
      const events = many(3);
      ddb
        .on(BatchWriteCommand)
        .resolvesOnce({
          UnprocessedItems: { events: [{ PutRequest: { Item: toEventItem(events[1]!, 'c') } }] },
        })
        .rejectsOnce(new Error('throttled'));
      const outcomes = await store.acceptMany(events, createWriteMeter(), 'c');
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(outcomes[1]).toEqual({ status: 'rejected', reason: new Error('throttled') });
    });
  });

  it('puts an event without a key with one conditional PutItem and meters it', async () => {
    ddb
      .on(PutCommand)
      .resolves({ ConsumedCapacity: { TableName: 'events', CapacityUnits: 1, WriteCapacityUnits: 1 } });
    const meter = createWriteMeter();
    const outcome = await store.accept(event(), meter, 'corr-1');
    expect(outcome).toEqual({
      duplicate: false,
      body: expect.objectContaining({ event_id: '01JX0000000000000000000000', duplicate: false }),
    });
    const input = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      ConditionExpression: 'attribute_not_exists(#pk)',
      ReturnConsumedCapacity: 'TOTAL',
      Item: {
        pk: `TENANT#${TENANT}`,
        sk: 'EVENT#01JX0000000000000000000000',
        kind: 'event',
        payloadJson: '{"a":1}',
        correlationId: 'corr-1',
        gsi1pk: `INBOX#${TENANT}`,
        gsi1sk: `${NOW.toISOString()}#01JX0000000000000000000000`,
      },
    });
    expect(meter).toMatchObject({ writes: 1, writeUnits: 1 });
  });

  it('writes the event and its dedup record in one transaction when there is a key', async () => {
    ddb
      .on(TransactWriteCommand)
      .resolves({ ConsumedCapacity: [{ TableName: 'events', CapacityUnits: 4, WriteCapacityUnits: 4 }] });
    const meter = createWriteMeter();
    await store.accept(event({ idempotencyKey: 'k1' }), meter);
    const items = ddb.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(items).toHaveLength(2);
    expect(items[1]!.Put).toMatchObject({
      Item: {
        ...idempotencyItemKey(TENANT, 'k1'),
        kind: 'idempotency',
        eventId: '01JX0000000000000000000000',
      },
      ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt <= :now',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(meter).toMatchObject({ writes: 2, writeUnits: 4 });
  });

  it('answers the original event as a duplicate when the dedup record exists', async () => {
    const original = {
      ...idempotencyItemKey(TENANT, 'k1'),
      kind: 'idempotency',
      recordKey: 'idem#x',
      tenantId: TENANT,
      eventId: 'ORIGINAL',
      receivedAt: NOW.toISOString(),
      eventType: 'order.placed',
      source: 'api',
      expiresAt: NOW.getTime() / 1000 + 3600,
      expiresAtEpoch: NOW.getTime() / 1000 + 3600,
      fingerprint: 'f',
    };
    ddb
      .on(TransactWriteCommand)
      .rejects(cancelled([{ Code: 'None' }, { Code: 'ConditionalCheckFailed', Item: original }]));
    const meter = createWriteMeter();
    const outcome = await store.accept(event({ idempotencyKey: 'k1' }), meter);
    expect(outcome).toMatchObject({ duplicate: true, body: { event_id: 'ORIGINAL', duplicate: true } });
    expect(meter.writes).toBe(0);
  });

  it('retries after a conflicting transaction, then reads the record the winner wrote', async () => {
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled([{ Code: 'TransactionConflict' }, { Code: 'TransactionConflict' }]))
      .rejects(cancelled([{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }]));
    ddb.on(GetCommand).resolves({
      Item: {
        recordKey: 'idem#x',
        tenantId: TENANT,
        eventId: 'WINNER',
        receivedAt: NOW.toISOString(),
        eventType: 'order.placed',
        source: 'api',
        expiresAt: NOW.getTime() / 1000 + 3600,
        fingerprint: 'f',
      },
    });
    const outcome = await store.accept(event({ idempotencyKey: 'k1' }), createWriteMeter());
    expect(outcome.body.event_id).toBe('WINNER');
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });

  it('round-trips an event item and tells event items from dedup records', () => {
    const stored = event({ idempotencyKey: 'k', attributes: { subject: 's' } });
    const item = toEventItem(stored);
    expect(isEventItem(item as never)).toBe(true);
    expect(isEventItem({ ...idempotencyItemKey(TENANT, 'k'), kind: 'idempotency' })).toBe(false);
    expect(fromEventItem(item)).toEqual(stored);
  });

  it('makes ULID event ids that sort by time', () => {
    const a = newEventId(new Date('2025-01-01T00:00:00Z'));
    const b = newEventId(new Date('2025-01-01T00:00:01Z'));
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a < b).toBe(true);
  });
});
