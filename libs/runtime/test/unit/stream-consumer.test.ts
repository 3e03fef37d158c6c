import { logger } from '../../src/logger';
import { CORRELATION_ID_LOG_KEY } from '../../src/middleware';
import { createStreamConsumer, FullStreamBatchFailureError } from '../../src/stream-consumer';
import type { StreamChange } from '../../src/stream-consumer';
import { lambdaContext, streamEvent, streamRecord } from '../../src/testing';

let errorLog: jest.SpyInstance;
beforeEach(() => {
  errorLog = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const failureLines = () =>
  errorLog.mock.calls.map((c) => c[0]).filter((line) => line?.message === 'consumer_failure');

const key = { pk: 'tenant#1', sk: 'order#1' };
const item = { ...key, amount: 12, tags: ['a'], nested: { ok: true } };

describe('createStreamConsumer with handleRecord', () => {
  it('hands over unmarshalled images and reports only the failed sequence numbers', async () => {
    const changes: StreamChange[] = [];
    const handler = createStreamConsumer({
      handleRecord: async (change) => {
        if (change.keys.pk === 'bad') throw new Error('cannot project');
        changes.push(change);
      },
    });

    const response = await handler(
      streamEvent(
        streamRecord('INSERT', { sequenceNumber: '100', keys: key, newImage: item }),
        streamRecord('MODIFY', { sequenceNumber: '200', newImage: { pk: 'bad', sk: 'x' } }),
        streamRecord('MODIFY', {
          sequenceNumber: '300',
          keys: key,
          newImage: { ...item, amount: 13 },
          oldImage: item,
        }),
        streamRecord('REMOVE', { sequenceNumber: '400', keys: key, oldImage: item }),
      ),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    expect(changes).toEqual([
      { eventName: 'INSERT', keys: key, newImage: item, sequenceNumber: '100' },
      {
        eventName: 'MODIFY',
        keys: key,
        newImage: { ...item, amount: 13 },
        oldImage: item,
        sequenceNumber: '300',
      },
      { eventName: 'REMOVE', keys: key, oldImage: item, sequenceNumber: '400' },
    ]);
    expect(failureLines()).toEqual([
      expect.objectContaining({ kind: 'handler_error', sequenceNumber: '200', reason: 'cannot project' }),
    ]);
  });

  it('hands each record its raw record and the Lambda context, one after another', async () => {
    const seen: string[] = [];
    const context = lambdaContext({ awsRequestId: 'req-7' });
    const handler = createStreamConsumer({
      handleRecord: async (change, ctx) => {
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(`${change.sequenceNumber}:${ctx.record.eventID}:${ctx.lambdaContext?.awsRequestId}`);
      },
    });
    await handler(
      streamEvent(
        streamRecord('INSERT', { sequenceNumber: '1', newImage: item }),
        streamRecord('INSERT', { sequenceNumber: '2', newImage: item }),
      ),
      context,
    );
    expect(seen).toEqual(['1:ev-1:req-7', '2:ev-2:req-7']);
  });

  it('fails the invocation when every record failed, unless told to return them all', async () => {
    const handleRecord = async (): Promise<never> => {
      throw new Error('down');
    };
    const event = streamEvent(
      streamRecord('INSERT', { sequenceNumber: '1', newImage: item }),
      streamRecord('INSERT', { sequenceNumber: '2', newImage: item }),
    );
    await expect(createStreamConsumer({ handleRecord })(event)).rejects.toThrow(FullStreamBatchFailureError);
    await expect(
      createStreamConsumer({ handleRecord, throwOnFullBatchFailure: false })(event),
    ).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: '1' }, { itemIdentifier: '2' }] });
  });
});

describe('createStreamConsumer with handleBatch', () => {
  it('hands the whole batch over at once, unmarshalled and in order, and reports what it says failed', async () => {
    const batches: StreamChange[][] = [];
    const handler = createStreamConsumer({
      handleBatch: async (changes) => {
        batches.push(changes);
        return [{ sequenceNumber: '200', reason: 'not published', correlationId: 'corr-200' }];
      },
    });
    const appendKeys = jest.spyOn(logger, 'appendKeys');

    const response = await handler(
      streamEvent(
        streamRecord('INSERT', { sequenceNumber: '100', keys: key, newImage: item }),
        streamRecord('MODIFY', {
          sequenceNumber: '200',
          keys: key,
          newImage: { ...item, amount: 13 },
          oldImage: item,
        }),
        streamRecord('REMOVE', { sequenceNumber: '300', keys: key, oldImage: item }),
      ),
    );

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
    const handler = createStreamConsumer({ handleBatch: async () => [] });
    await expect(
      handler(streamEvent(streamRecord('INSERT', { sequenceNumber: '1', keys: key, newImage: item }))),
    ).resolves.toEqual({ batchItemFailures: [] });
    expect(failureLines()).toEqual([]);
  });

  it('fails a malformed record alone and keeps it out of the batch', async () => {
    const seen: string[] = [];
    const handler = createStreamConsumer({
      handleBatch: async (changes) => {
        seen.push(...changes.map((c) => c.sequenceNumber));
        return [];
      },
    });
    const broken = streamRecord('INSERT', { sequenceNumber: '2', keys: key, newImage: item });
    delete (broken.dynamodb as { Keys?: unknown }).Keys;
    const response = await handler(
      streamEvent(streamRecord('INSERT', { sequenceNumber: '1', keys: key, newImage: item }), broken),
    );
    expect(seen).toEqual(['1']);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
  });

  it('fails every record when the batch handler throws, and the invocation unless told otherwise', async () => {
    const event = streamEvent(
      streamRecord('INSERT', { sequenceNumber: '1', keys: key, newImage: item }),
      streamRecord('INSERT', { sequenceNumber: '2', keys: key, newImage: item }),
    );
    const throwing = async (): Promise<never> => {
      throw new Error('bus unreachable');
    };
    await expect(createStreamConsumer({ handleBatch: throwing })(event)).rejects.toThrow(
      FullStreamBatchFailureError,
    );
    expect(failureLines()).toHaveLength(2);
    await expect(
      createStreamConsumer({ handleBatch: throwing, throwOnFullBatchFailure: false })(event),
    ).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: '1' }, { itemIdentifier: '2' }] });
  });
});
