import { FullBatchFailureError } from '@aws-lambda-powertools/batch';
import { defineContract, type MessageOf } from '@switchyard/contracts';
import { z } from 'zod';
import { createSqsConsumer } from '../../src/consumers';
import { logger } from '../../src/logger';
import { captureFailureLines } from '../support/failure-lines';
import { CORRELATION_ID_LOG_KEY } from '../../src/middleware';
import { currentCorrelationId } from '../../src/correlation';
import { eventBridgeEnvelope as envelope, sqsEvent, sqsRecord, stringAttribute } from '../../src/testing';

const OrderPlaced = defineContract({
  service: 'billing',
  detailType: 'OrderPlaced',
  version: 1,
  description: 'An order was placed (test contract).',
  body: { orderId: z.string().min(1), amount: z.number().int().nonnegative() },
});

const OrderCancelled = defineContract({
  service: 'billing',
  detailType: 'OrderCancelled',
  version: 1,
  description: 'An order was cancelled (test contract).',
  body: { orderId: z.string().min(1), reason: z.string() },
});

const header = (id: string, correlationId = `corr-${id}`) => ({
  version: 1,
  id,
  time: '2025-01-02T03:04:05.000Z',
  tenantId: 'tenant-1',
  correlationId,
});

const order = (id: string, amount = 10): MessageOf<typeof OrderPlaced> => ({
  ...header(id),
  orderId: `o-${id}`,
  amount,
});

const { errorLog, failureLines } = captureFailureLines();

describe('createSqsConsumer', () => {
  it('reports exactly the poison and the throwing record as batch item failures', async () => {
    const handled: string[] = [];
    const handler = createSqsConsumer({
      contract: OrderPlaced,
      handleMessage: async (message) => {
        if (message.orderId === 'o-boom') throw new Error('downstream is down');
        handled.push(message.orderId);
      },
    });
    const good = sqsRecord(order('good'));
    const poison = sqsRecord({ ...order('poison'), amount: -5 });
    const throwing = sqsRecord(order('boom'));

    const response = await handler(sqsEvent(good, poison, throwing));

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [poison.messageId, throwing.messageId].sort(),
    );
    expect(handled).toEqual(['o-good']);
    const lines = failureLines();
    expect(lines).toEqual([
      expect.objectContaining({
        kind: 'poison',
        messageId: poison.messageId,
        reason: expect.stringMatching(/amount/),
      }),
      expect.objectContaining({
        kind: 'handler_error',
        messageId: throwing.messageId,
        reason: 'downstream is down',
      }),
    ]);
  });

  it('hands the handler the typed, parsed message from a raw queue body and an EventBridge envelope', async () => {
    const seen: { orderId: string; amount: number; fromBus: boolean; time: string }[] = [];
    const handler = createSqsConsumer({
      contract: OrderPlaced,
      handleMessage: async (message, ctx) => {
        // Compile-time check: the message is typed by the contract.
        const amount: number = message.amount;
        seen.push({
          orderId: message.orderId,
          amount,
          fromBus: ctx.envelope !== undefined,
          time: message.time,
        });
      },
    });
    // Unknown keys are stripped by the schema, so the handler sees exactly the contract's fields.
    const raw = sqsRecord({ ...order('raw', 7), extra: 'ignored' });
    const viaBus = sqsRecord(envelope('switchyard.billing', 'OrderPlaced', order('bus', 8)));

    const response = await handler(sqsEvent(raw, viaBus));

    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual([
      { orderId: 'o-raw', amount: 7, fromBus: false, time: '2025-01-02T03:04:05.000Z' },
      { orderId: 'o-bus', amount: 8, fromBus: true, time: '2025-01-02T03:04:05.000Z' },
    ]);
  });

  it('routes among several contracts by detail-type (envelope) or the detailType attribute (raw)', async () => {
    const seen: string[] = [];
    const handler = createSqsConsumer({
      contract: [OrderPlaced, OrderCancelled],
      handleMessage: async (message, ctx) => {
        seen.push(`${ctx.contract.detailType}:${message.orderId}`);
      },
    });
    const cancelled = { ...header('c'), orderId: 'o-c', reason: 'changed mind' };

    const response = await handler(
      sqsEvent(
        sqsRecord(envelope('switchyard.billing', 'OrderCancelled', cancelled)),
        sqsRecord(order('p'), {
          messageAttributes: {
            detailType: stringAttribute('OrderPlaced'),
            source: stringAttribute('switchyard.billing'),
          },
        }),
        // No attribute: the one contract the body satisfies wins.
        sqsRecord(cancelled),
      ),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(seen).toEqual(['OrderCancelled:o-c', 'OrderPlaced:o-p', 'OrderCancelled:o-c']);
  });

  it.each([
    ['a body that is not JSON', 'not json', /not JSON/],
    [
      'an event of a type the consumer does not know',
      envelope('switchyard.billing', 'OrderShipped', {}),
      /no contract/,
    ],
    [
      'an event from another source',
      envelope('switchyard.identity', 'OrderPlaced', order('x')),
      /no contract/,
    ],
    ['an unsupported version', { ...order('v'), version: 2 }, /unsupported version 2/],
    ['a message without header fields', { orderId: 'o-1', amount: 1 }, /unsupported version/],
    ['a missing tenant', { ...order('t'), tenantId: undefined }, /tenantId/],
  ])('treats %s as poison', async (_name, body, reason) => {
    const handleMessage = jest.fn(async () => undefined);
    const handler = createSqsConsumer({
      contract: OrderPlaced,
      handleMessage,
      throwOnFullBatchFailure: false,
    });
    const record = sqsRecord(body);

    const response = await handler(sqsEvent(record));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(handleMessage).not.toHaveBeenCalled();
    expect(failureLines()).toEqual([
      expect.objectContaining({ kind: 'poison', reason: expect.stringMatching(reason) }),
    ]);
  });

  it("with onPoison: 'drop' acknowledges poison (logged) but still fails records whose handler throws", async () => {
    const handler = createSqsConsumer({
      contract: OrderPlaced,
      onPoison: 'drop',
      handleMessage: async () => {
        throw new Error('nope');
      },
    });
    const poison = sqsRecord('{"broken":');
    const throwing = sqsRecord(order('x'));

    const response = await handler(sqsEvent(poison, throwing));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: throwing.messageId }]);
    expect(failureLines()[0]).toMatchObject({ kind: 'poison', action: 'drop', messageId: poison.messageId });
  });

  it('fails the invocation when every record failed, unless told to return them all', async () => {
    const handleMessage = async () => {
      throw new Error('down');
    };
    const records = [sqsRecord(order('a')), sqsRecord(order('b'))];

    await expect(
      createSqsConsumer({ contract: OrderPlaced, handleMessage })(sqsEvent(...records)),
    ).rejects.toThrow(FullBatchFailureError);
    const response = await createSqsConsumer({
      contract: OrderPlaced,
      handleMessage,
      throwOnFullBatchFailure: false,
    })(sqsEvent(...records));
    expect(response.batchItemFailures).toHaveLength(2);
  });

  it("makes each record's correlation id current while its handler runs, then clears it", async () => {
    const seen: (string | undefined)[] = [];
    const appendKeys = jest.spyOn(logger, 'appendKeys');
    const handler = createSqsConsumer({
      contract: OrderPlaced,
      handleMessage: async () => {
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(currentCorrelationId());
      },
    });

    await handler(sqsEvent(sqsRecord(order('1')), sqsRecord(order('2'))));

    expect(seen).toEqual(['corr-1', 'corr-2']);
    // ...and on every log line written meanwhile, under the runtime's log key.
    expect(appendKeys).toHaveBeenCalledWith({ [CORRELATION_ID_LOG_KEY]: 'corr-1' });
    expect(appendKeys).toHaveBeenCalledWith({ [CORRELATION_ID_LOG_KEY]: 'corr-2' });
    expect(currentCorrelationId()).toBeUndefined();
  });

  it('with processInParallel handles records concurrently, each with its own correlation id', async () => {
    const release: (() => void)[] = [];
    const started: string[] = [];
    const seen: [string, string | undefined][] = [];
    const appendKeys = jest.spyOn(logger, 'appendKeys');
    const handler = createSqsConsumer({
      contract: OrderPlaced,
      processInParallel: true,
      handleMessage: async (message) => {
        started.push(message.id);
        // The first record waits until the second has started: sequential handling would hang.
        if (message.id === 'slow') await new Promise<void>((resolve) => release.push(resolve));
        else release.forEach((go) => go());
        if (message.id === 'bad') throw new Error('nope');
        seen.push([message.id, currentCorrelationId()]);
      },
    });

    const slow = sqsRecord(order('slow'));
    const bad = sqsRecord(order('bad'));
    const response = await handler(sqsEvent(slow, bad));

    expect(started).toEqual(['slow', 'bad']);
    expect(seen).toEqual([['slow', 'corr-slow']]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);
    // Shared log keys would be wrong for concurrent records, so none are set.
    expect(appendKeys).not.toHaveBeenCalledWith({ [CORRELATION_ID_LOG_KEY]: 'corr-slow' });
    expect(errorLog()).toHaveBeenCalledWith(expect.objectContaining({ correlationId: 'corr-bad' }));
  });
});
