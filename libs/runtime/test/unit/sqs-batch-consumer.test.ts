import { defineContract, type MessageOf } from '@switchyard/contracts';
import { z } from 'zod';
import { createSqsBatchConsumer, FullSqsBatchFailureError } from '../../src/sqs-batch-consumer';
import { captureFailureLines } from '../support/failure-lines';
import { eventBridgeEnvelope as envelope, sqsEvent, sqsRecord } from '../../src/testing';

const Metered = defineContract({
  service: 'billing',
  detailType: 'ThingMetered',
  version: 1,
  description: 'A thing to count (test contract).',
  body: { units: z.number().int().positive() },
});

const thing = (id: string, units = 1): MessageOf<typeof Metered> => ({
  version: 1,
  id,
  time: '2025-01-02T03:04:05.000Z',
  tenantId: 'tenant-1',
  correlationId: `corr-${id}`,
  units,
});

const { failureLines } = captureFailureLines();

describe('createSqsBatchConsumer', () => {
  it('hands every parsed message to one call and fails the poison record alone', async () => {
    const calls: string[][] = [];
    const handler = createSqsBatchConsumer({
      contract: Metered,
      handleBatch: async (items) => {
        calls.push(items.map((item) => item.message.id));
        return [];
      },
    });
    const a = sqsRecord(envelope('switchyard.billing', 'ThingMetered', thing('a')));
    const poison = sqsRecord({ ...thing('p'), units: 0 });
    const b = sqsRecord(thing('b', 3));

    const response = await handler(sqsEvent(a, poison, b));

    expect(calls).toEqual([['a', 'b']]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: poison.messageId }]);
    expect(failureLines().map((line) => line.kind)).toEqual(['poison']);
  });

  it('reports the failures handleBatch returns, and every record when it throws', async () => {
    const a = sqsRecord(thing('a'));
    const b = sqsRecord(thing('b'));
    const partial = createSqsBatchConsumer({
      contract: Metered,
      handleBatch: async (items) => [{ messageId: items[1]!.record.messageId, reason: 'tenant busy' }],
    });
    expect((await partial(sqsEvent(a, b))).batchItemFailures).toEqual([{ itemIdentifier: b.messageId }]);

    const throwing = createSqsBatchConsumer({
      contract: Metered,
      handleBatch: async () => {
        throw new Error('table unavailable');
      },
    });
    await expect(throwing(sqsEvent(a, b))).rejects.toBeInstanceOf(FullSqsBatchFailureError);
    const lenient = createSqsBatchConsumer({
      contract: Metered,
      throwOnFullBatchFailure: false,
      handleBatch: async () => {
        throw new Error('table unavailable');
      },
    });
    expect((await lenient(sqsEvent(a, b))).batchItemFailures).toHaveLength(2);
  });
});
