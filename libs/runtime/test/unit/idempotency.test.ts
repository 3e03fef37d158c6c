import {
  IdempotencyKeyError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { resetAwsClients } from '../../src/aws-clients';
import {
  createIdempotencyConfig,
  DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  makeIdempotentHandler,
} from '../../src/idempotency';
import { lambdaContext as testContext } from '../../src/testing';

const dynamo = mockClient(DynamoDBClient);
type Item = Record<string, AttributeValue>;

/**
 * A one-table DynamoDB stand-in, enough for the Powertools persistence layer: PutItem fails its
 * condition (returning the old item) when the key exists, UpdateItem applies `SET #a = :a, ...`.
 */
function fakeTable(): Map<string, Item> {
  const items = new Map<string, Item>();
  dynamo.on(PutItemCommand).callsFake((input: { Item: Item }) => {
    const key = input.Item.id!.S!;
    const existing = items.get(key);
    if (existing) {
      throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {}, Item: existing });
    }
    items.set(key, { ...input.Item });
    return {};
  });
  dynamo
    .on(UpdateItemCommand)
    .callsFake(
      (input: {
        Key: Item;
        UpdateExpression: string;
        ExpressionAttributeNames: Record<string, string>;
        ExpressionAttributeValues: Item;
      }) => {
        const item = items.get(input.Key.id!.S!)!;
        for (const [, name, value] of input.UpdateExpression.matchAll(/(#\w+) = (:\w+)/g)) {
          item[input.ExpressionAttributeNames[name!]!] = input.ExpressionAttributeValues[value!]!;
        }
        return {};
      },
    );
  return items;
}

interface Charge {
  id: string;
  tenantId: string;
  amount: number;
}

const lambdaContext = testContext({ awsRequestId: 'req-1' });

beforeEach(() => {
  dynamo.reset();
  resetAwsClients();
  process.env.IDEMPOTENCY_TABLE_NAME = 'switchyard-test-idempotency';
  process.env.AWS_REGION = 'eu-west-1';
});

describe('createIdempotencyConfig', () => {
  it('keeps payload validation on, fails on a missing key and defaults the expiry to 24 hours', () => {
    const config = createIdempotencyConfig({
      eventKeyJmesPath: 'id',
      payloadValidationJmesPath: '[tenantId, amount]',
    });
    expect(config.eventKeyJmesPath).toBe('id');
    expect(config.payloadValidationJmesPath).toBe('[tenantId, amount]');
    expect(config.throwOnNoIdempotencyKey).toBe(true);
    expect(config.useLocalCache).toBe(false);
    expect(config.expiresAfterSeconds).toBe(DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS);
    expect(DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS).toBe(86_400);
    expect(
      createIdempotencyConfig({
        eventKeyJmesPath: 'id',
        payloadValidationJmesPath: 'a',
        expiresAfterSeconds: 60,
      }).expiresAfterSeconds,
    ).toBe(60);
  });

  it('refuses to switch payload validation off', () => {
    expect(() => createIdempotencyConfig({ eventKeyJmesPath: 'id', payloadValidationJmesPath: '' })).toThrow(
      /payloadValidationJmesPath is required/,
    );
  });
});

describe('makeIdempotentHandler', () => {
  const options = { eventKeyJmesPath: 'id', payloadValidationJmesPath: '[tenantId, amount]' };

  it('needs a table name', () => {
    delete process.env.IDEMPOTENCY_TABLE_NAME;
    expect(() => makeIdempotentHandler(async () => 1, options)).toThrow(/IDEMPOTENCY_TABLE_NAME/);
  });

  it('runs the function once per key and returns the stored result on a repeat', async () => {
    const items = fakeTable();
    let runs = 0;
    const charge = makeIdempotentHandler(async (event: Charge, _context: Context) => {
      runs += 1;
      return { chargeId: `ch-${runs}`, amount: event.amount };
    }, options);
    const event = { id: 'evt-1', tenantId: 't-1', amount: 500 };

    const first = await charge(event, lambdaContext);
    const second = await charge({ ...event }, lambdaContext);

    expect(first).toEqual({ chargeId: 'ch-1', amount: 500 });
    expect(second).toEqual(first);
    expect(runs).toBe(1);
    const put = dynamo.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(put.TableName).toBe('switchyard-test-idempotency');
    const [stored] = [...items.values()];
    expect(stored?.status?.S).toBe('COMPLETED');
    expect(stored?.validation?.S).toEqual(expect.any(String));
  });

  it('rejects the same key with a different validated payload', async () => {
    fakeTable();
    const fn = jest.fn(async (event: Charge, _context: Context) => ({
      amount: event.amount,
    }));
    const charge = makeIdempotentHandler(fn, options);

    await charge({ id: 'evt-2', tenantId: 't-1', amount: 500 }, lambdaContext);
    await expect(charge({ id: 'evt-2', tenantId: 't-1', amount: 999 }, lambdaContext)).rejects.toThrow(
      IdempotencyValidationError,
    );
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('treats fields outside the validation path as free to differ', async () => {
    fakeTable();
    // A per-record function, called the way the SQS consumer calls handleMessage.
    const fn = jest.fn(
      async (_message: Charge & { receiveCount: number }, _ctx: { lambdaContext: Context }) => 'done',
    );
    const handle = makeIdempotentHandler(fn, options);

    await handle({ id: 'evt-3', tenantId: 't', amount: 1, receiveCount: 1 }, { lambdaContext });
    const repeat = await handle(
      { id: 'evt-3', tenantId: 't', amount: 1, receiveCount: 2 },
      { lambdaContext },
    );

    expect(repeat).toBe('done');
    expect(fn).toHaveBeenCalledTimes(1);
    // ctx.lambdaContext was registered: an in-progress record expires with the invocation.
    const put = dynamo.commandCalls(PutItemCommand)[0]!.args[0].input;
    expect(Number(put.Item?.in_progress_expiration?.N)).toBeGreaterThan(Date.now());
  });

  it('throws when the payload has no idempotency key rather than running unprotected', async () => {
    fakeTable();
    const fn = jest.fn(async (_event: Partial<Charge>, _context: Context) => 'ran');
    const handle = makeIdempotentHandler(fn, options);
    const error = await handle({ tenantId: 't', amount: 1 }, lambdaContext).catch((e: unknown) => e);
    // Powertools wraps it: "Failed to save in progress record", caused by the missing key.
    expect(error).toBeInstanceOf(IdempotencyPersistenceLayerError);
    expect((error as Error).cause).toBeInstanceOf(IdempotencyKeyError);
    expect(dynamo.commandCalls(PutItemCommand)).toHaveLength(0);
    expect(fn).not.toHaveBeenCalled();
  });
});
