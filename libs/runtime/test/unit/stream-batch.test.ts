import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { StreamChange } from '../../src/consumers';
import { logger } from '../../src/logger';
import { CORRELATION_ID_LOG_KEY } from '../../src/middleware';
import { createStreamBatchConsumer, FullStreamBatchFailureError } from '../../src/stream-batch';

function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  sequenceNumber: string,
  keys: Record<string, unknown>,
  newImage?: Record<string, unknown>,
  oldImage?: Record<string, unknown>,
): DynamoDBRecord {
  return {
    eventID: `ev-${sequenceNumber}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-1',
    eventSourceARN: 'arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2025-01-01T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: 1735787045,
      Keys: marshall(keys) as never,
      ...(newImage ? { NewImage: marshall(newImage) as never } : {}),
      ...(oldImage ? { OldImage: marshall(oldImage) as never } : {}),
      SequenceNumber: sequenceNumber,
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

let errorLog: jest.SpyInstance;
beforeEach(() => {
  errorLog = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const failureLines = () =>
  errorLog.mock.calls.map((c) => c[0]).filter((line) => line?.message === 'consumer_failure');

describe('createStreamBatchConsumer', () => {
  const key = { pk: 'tenant#1', sk: 'order#1' };
  const item = { ...key, amount: 12, tags: ['a'], nested: { ok: true } };

  it('hands the whole batch over at once, unmarshalled and in order, and reports what it says failed', async () => {
    const batches: StreamChange[][] = [];
    const handler = createStreamBatchConsumer({
      handleBatch: async (changes) => {
        batches.push(changes);
        return [{ sequenceNumber: '200', reason: 'not published', correlationId: 'corr-200' }];
      },
    });
    const appendKeys = jest.spyOn(logger, 'appendKeys');

    const response = await handler({
      Records: [
        streamRecord('INSERT', '100', key, item),
        streamRecord('MODIFY', '200', key, { ...item, amount: 13 }, item),
        streamRecord('REMOVE', '300', key, undefined, item),
      ],
    });

    expect(batches).toEqual([
      [
        { eventName: 'INSERT', keys: key, newImage: item, sequenceNumber: '100' },
        {
          eventName: 'MODIFY',
          keys: key,
          newImage: { ...item, amount: 13 },
          oldImage: item,
          sequenceNumber: '200',
        },
        { eventName: 'REMOVE', keys: key, oldImage: item, sequenceNumber: '300' },
      ],
    ]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    expect(failureLines()).toEqual([
      expect.objectContaining({
        kind: 'handler_error',
        messageId: 'ev-200',
        sequenceNumber: '200',
        reason: 'not published',
      }),
    ]);
    // The failure's line carries the record's correlation id.
    expect(appendKeys).toHaveBeenCalledWith({ [CORRELATION_ID_LOG_KEY]: 'corr-200' });
  });

  it('answers an empty failure list when everything succeeded', async () => {
    const handler = createStreamBatchConsumer({ handleBatch: async () => [] });
    await expect(handler({ Records: [streamRecord('INSERT', '1', key, item)] })).resolves.toEqual({
      batchItemFailures: [],
    });
    expect(failureLines()).toEqual([]);
  });

  it('fails a malformed record alone and keeps it out of the batch', async () => {
    const seen: string[] = [];
    const handler = createStreamBatchConsumer({
      handleBatch: async (changes) => {
        seen.push(...changes.map((c) => c.sequenceNumber));
        return [];
      },
    });
    const broken = streamRecord('INSERT', '2', key, item);
    delete (broken.dynamodb as { Keys?: unknown }).Keys;
    const response = await handler({ Records: [streamRecord('INSERT', '1', key, item), broken] });
    expect(seen).toEqual(['1']);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
  });

  it('fails every record when the batch handler throws, and the invocation unless told otherwise', async () => {
    const records = [streamRecord('INSERT', '1', key, item), streamRecord('INSERT', '2', key, item)];
    const throwing = async (): Promise<never> => {
      throw new Error('bus unreachable');
    };
    await expect(createStreamBatchConsumer({ handleBatch: throwing })({ Records: records })).rejects.toThrow(
      FullStreamBatchFailureError,
    );
    expect(failureLines()).toHaveLength(2);
    await expect(
      createStreamBatchConsumer({ handleBatch: throwing, throwOnFullBatchFailure: false })({
        Records: records,
      }),
    ).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: '1' }, { itemIdentifier: '2' }] });
  });
});
