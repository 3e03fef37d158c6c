// The inbox store's own decisions, with DynamoDB mocked (its job is to call DynamoDB): how many
// index items a listing reads when leased events are in the way, what a lost lease race does, and
// that the cursor secret is created once (conditional put) and shared.
import { mockClient } from 'aws-sdk-client-mock';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { acknowledgementFromImages, InboxStore } from '../../src/adapters/inbox-store';
import { toEventItem } from '../../src/adapters/event-store';

const NOW = new Date('2030-01-01T00:00:00.000Z');
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const ddb = mockClient(client);
const store = () => new InboxStore(client, () => ({ events: 'events', state: 'state' }), { now: () => NOW });

function item(n: number, extra: Record<string, unknown> = {}) {
  return {
    ...toEventItem({
      format: 'native',
      eventType: 't',
      payload: { n },
      source: 'api',
      attributes: {},
      tenantId: 'ten',
      eventId: `E${String(n).padStart(3, '0')}`,
      receivedAt: new Date(NOW.getTime() - 100_000 + n).toISOString(),
    }),
    ...extra,
  };
}
const conditionFailed = () => Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' });

beforeEach(() => {
  ddb.reset();
  ddb
    .on(GetCommand, { TableName: 'state' })
    .resolves({ Item: { secret: Buffer.alloc(32, 7).toString('base64') } });
});

describe('InboxStore.listInbox', () => {
  it('keeps reading past leased events until it has limit + 1 visible ones', async () => {
    const leased = { leaseUntil: NOW.getTime() + 60_000, leaseToken: 'x' };
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [item(1, leased), item(2, leased), item(3)], LastEvaluatedKey: { k: 1 } })
      .resolvesOnce({ Items: [item(4), item(5)], LastEvaluatedKey: { k: 2 } });
    const page = await store().listInbox('ten', { limit: 2 });
    expect(page.events.map((e) => e.eventId)).toEqual(['E003', 'E004']);
    expect(page.hasMore).toBe(true);
    expect(page.nextCursor).toEqual(expect.any(String));
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries).toHaveLength(2);
    expect(queries[0]).toMatchObject({
      IndexName: 'gsi1',
      ExpressionAttributeValues: { ':pk': 'INBOX#ten' },
    });
    expect(queries[1]?.ExclusiveStartKey).toEqual({ k: 1 });
  });

  it('starts after the cursor position and says when the index is exhausted', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item(7)] });
    const s = store();
    const cursor = await s.encodeInboxCursor('ten', {
      v: 1,
      after: { receivedAt: item(6).receivedAt, eventId: 'E006' },
    });
    const page = await s.listInbox('ten', { limit: 5, cursor: await s.decodeInboxCursor('ten', cursor) });
    expect(page).toMatchObject({ hasMore: false, nextCursor: null });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      KeyConditionExpression: '#gsi1pk = :pk AND #gsi1sk > :after',
      ExpressionAttributeValues: { ':after': `${item(6).receivedAt}#E006` },
    });
  });

  it('drops from the page an event another consumer leased first', async () => {
    ddb.on(QueryCommand).resolves({ Items: [item(1), item(2)] });
    ddb
      .on(UpdateCommand)
      .resolves({})
      .on(UpdateCommand, { Key: { pk: 'TENANT#ten', sk: 'EVENT#E001' } })
      .rejects(conditionFailed());
    const page = await store().listInbox('ten', { limit: 10, leaseSeconds: 30 });
    expect(page.events.map((e) => [e.eventId, e.leaseUntil])).toEqual([['E002', NOW.getTime() + 30_000]]);
    const update = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.ConditionExpression).toContain('attribute_exists(#pk)');
  });
});

describe('InboxStore cursors', () => {
  it('creates the secret once with a conditional put; a lost race reads the winner', async () => {
    ddb.reset();
    ddb
      .on(GetCommand, { TableName: 'state' })
      .resolvesOnce({})
      .resolves({ Item: { secret: Buffer.alloc(32, 9).toString('base64') } });
    ddb.on(PutCommand).rejects(conditionFailed());
    const secret = await store().cursorSecret();
    expect(secret).toEqual(Buffer.alloc(32, 9));
    expect(ddb.commandCalls(PutCommand)[0]?.args[0].input).toMatchObject({
      Item: expect.objectContaining({ pk: 'SECRET#cursor', sk: 'SECRET' }),
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
  });

  it('rejects a cursor minted for another tenant', async () => {
    const s = store();
    const cursor = await s.encodeInboxCursor('a', {
      v: 1,
      after: { receivedAt: NOW.toISOString(), eventId: 'E1' },
    });
    await expect(s.decodeInboxCursor('b', cursor)).rejects.toMatchObject({
      status: 400,
      code: 'invalid_cursor',
    });
  });
});

describe('InboxStore.acknowledge', () => {
  it('treats a lost race as already acknowledged', async () => {
    ddb
      .on(GetCommand, { TableName: 'events' })
      .resolvesOnce({ Item: item(1) })
      .resolves({ Item: item(1, { acknowledgedAt: NOW.toISOString() }) });
    ddb.on(UpdateCommand).rejects(conditionFailed());
    await expect(store().acknowledge('ten', 'E001', 'key')).resolves.toEqual({
      outcome: 'already_acknowledged',
    });
  });
});

describe('acknowledgementFromImages (for the stream publisher)', () => {
  it('announces only the MODIFY where acknowledgedAt appears', () => {
    const acked = item(1, { acknowledgedAt: NOW.toISOString(), acknowledgedBy: 'k1' });
    expect(acknowledgementFromImages(item(1), acked)).toEqual({
      tenantId: 'ten',
      eventId: 'E001',
      acknowledgedAt: NOW.toISOString(),
      apiKeyId: 'k1',
    });
    expect(acknowledgementFromImages(acked, acked)).toBeUndefined();
    expect(acknowledgementFromImages(undefined, item(1))).toBeUndefined();
    expect(acknowledgementFromImages(item(1), item(1, { leaseUntil: 1 }))).toBeUndefined();
  });
});
