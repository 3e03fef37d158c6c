// The shared DynamoDB helpers: telling a lost condition from a failure, write-once items, the
// cursor secret built on them, and whole-partition queries.
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  cancellationReasons,
  conditionalWrite,
  getOrCreateItem,
  isCancelledByCondition,
  isConditionFailure,
} from '../../src/conditional-writes';
import { CURSOR_SECRET_KEY, tableCursorSecret } from '../../src/cursor-secret';
import { queryAll } from '../../src/queries';

const ddb = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
beforeEach(() => ddb.reset());

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('conditional writes', () => {
  it('tells a failed condition from other errors, by name', () => {
    expect(isConditionFailure(conditionFailed())).toBe(true);
    expect(
      isConditionFailure(Object.assign(new Error('x'), { name: 'ConditionalCheckFailedException' })),
    ).toBe(true);
    expect(isConditionFailure(new Error('throttled'))).toBe(false);
    expect(isConditionFailure(cancelled('ConditionalCheckFailed'))).toBe(false);
  });

  it("reads a cancelled transaction's reasons per item", () => {
    const error = cancelled('None', 'ConditionalCheckFailed');
    expect(cancellationReasons(error)?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed']);
    expect(cancellationReasons(conditionFailed())).toBeUndefined();
    expect(isCancelledByCondition(error)).toBe(true);
    expect(isCancelledByCondition(error, 1)).toBe(true);
    expect(isCancelledByCondition(error, 0)).toBe(false);
    expect(isCancelledByCondition(cancelled('TransactionConflict'))).toBe(false);
  });

  it('answers whether a conditional write happened, and throws anything else', async () => {
    await expect(conditionalWrite(Promise.resolve({}))).resolves.toBe(true);
    await expect(conditionalWrite(Promise.reject(conditionFailed()))).resolves.toBe(false);
    await expect(conditionalWrite(Promise.reject(cancelled('None', 'ConditionalCheckFailed')))).resolves.toBe(
      false,
    );
    await expect(conditionalWrite(Promise.reject(cancelled('TransactionConflict')))).rejects.toThrow(
      'cancelled',
    );
    await expect(conditionalWrite(Promise.reject(new Error('throttled')))).rejects.toThrow('throttled');
  });

  it("with a guarded item, reads only that item's failed condition as not written", async () => {
    const guarded = { guardedItem: 0 };
    await expect(conditionalWrite(Promise.resolve({}), guarded)).resolves.toBe(true);
    await expect(
      conditionalWrite(Promise.reject(cancelled('ConditionalCheckFailed', 'None')), guarded),
    ).resolves.toBe(false);
    // Another item's condition failing is not "already done": it is thrown.
    await expect(
      conditionalWrite(Promise.reject(cancelled('None', 'ConditionalCheckFailed')), guarded),
    ).rejects.toThrow('cancelled');
    await expect(conditionalWrite(Promise.reject(conditionFailed()), guarded)).rejects.toThrow();
  });
});

describe('getOrCreateItem', () => {
  const key = { pk: 'SECRET#x', sk: 'SECRET' };

  it('returns what is stored without writing', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...key, value: 'old' } });
    const create = jest.fn(() => ({ value: 'new' }));
    await expect(getOrCreateItem('t', key, create, client)).resolves.toEqual({ ...key, value: 'old' });
    expect(create).not.toHaveBeenCalled();
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('writes a new item only where none exists, and reads the winner back after losing a race', async () => {
    ddb
      .on(GetCommand)
      .resolvesOnce({})
      .resolves({ Item: { ...key, value: 'theirs' } });
    ddb.on(PutCommand).rejects(conditionFailed());
    await expect(getOrCreateItem('t', key, () => ({ value: 'mine' }), client)).resolves.toEqual({
      ...key,
      value: 'theirs',
    });
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input).toMatchObject({
      Item: { ...key, value: 'mine' },
      ConditionExpression: 'attribute_not_exists(#pk)',
    });
    expect(ddb.commandCalls(GetCommand).every((c) => c.args[0].input.ConsistentRead)).toBe(true);
  });
});

describe('tableCursorSecret', () => {
  it('creates 32 random bytes at SECRET#cursor once and caches them', async () => {
    ddb.on(GetCommand).resolves({});
    ddb.on(PutCommand).resolves({});
    const secret = tableCursorSecret({
      client: () => client,
      tableName: () => 't',
      attributes: { kind: 'secret' },
    });

    const first = await secret();
    await expect(secret()).resolves.toBe(first);

    expect(first).toHaveLength(32);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(1);
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({
      ...CURSOR_SECRET_KEY,
      kind: 'secret',
      secret: first.toString('base64'),
    });
  });

  it('tries again after a failed load', async () => {
    ddb
      .on(GetCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({ Item: { secret: Buffer.alloc(32, 3).toString('base64') } });
    const secret = tableCursorSecret({ client: () => client, tableName: () => 't' });
    await expect(secret()).rejects.toThrow('throttled');
    await expect(secret()).resolves.toEqual(Buffer.alloc(32, 3));
  });
});

describe('queryAll', () => {
  it('reads every page, starting each after the last key of the one before', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ n: 1 }, { n: 2 }], LastEvaluatedKey: { pk: 'p', sk: '2' } })
      .resolvesOnce({ Items: [{ n: 3 }] });
    const items = await queryAll(client, {
      TableName: 't',
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':pk': 'p' },
    });
    expect(items).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    const inputs = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(inputs[0]).not.toHaveProperty('ExclusiveStartKey');
    expect(inputs[1]).toMatchObject({ TableName: 't', ExclusiveStartKey: { pk: 'p', sk: '2' } });
  });
});
