import { logger } from '../../src/logger';
import { CORRELATION_ID_LOG_KEY } from '../../src/middleware';
import { createStreamConsumer, FullStreamBatchFailureError } from '../../src/stream-consumer';
import type { StreamChange } from '../../src/stream-consumer';
import { lambdaContext, streamEvent, streamRecord } from '../../src/testing';
import { captureFailureLines } from '../support/failure-lines';

const { failureLines } = captureFailureLines();

const key = { pk: 'tenant#1', sk: 'order#1' };
const item = { ...key, amount: 12, tags: ['a'], nested: { ok: true } };
const changed = { ...item, amount: 13 };

/** A stream record of `item`, and the change a handler should be given for it. */
const inserted = (sequenceNumber: string) => ({
  record: streamRecord('INSERT', { sequenceNumber, keys: key, newImage: item }),
  change: { eventName: 'INSERT', keys: key, newImage: item, sequenceNumber },
});
const modified = (sequenceNumber: string) => ({
  record: streamRecord('MODIFY', { sequenceNumber, keys: key, newImage: changed, oldImage: item }),
  change: { eventName: 'MODIFY', keys: key, newImage: changed, oldImage: item, sequenceNumber },
});
const removed = (sequenceNumber: string) => ({
  record: streamRecord('REMOVE', { sequenceNumber, keys: key, oldImage: item }),
  change: { eventName: 'REMOVE', keys: key, oldImage: item, sequenceNumber },
});

describe('createStreamConsumer with handleRecord', () => {
  it('hands over unmarshalled images and reports only the failed sequence numbers', async () => {
    const changes: StreamChange[] = [];
    const handler = createStreamConsumer({
      handleRecord: async (change) => {
        if (change.keys.pk === 'bad') throw new Error('cannot project');
        changes.push(change);
      },
    });
    const [first, third, fourth] = [inserted('100'), modified('300'), removed('400')];

    const response = await handler(
      streamEvent(
        first.record,
        streamRecord('MODIFY', { sequenceNumber: '200', newImage: { pk: 'bad', sk: 'x' } }),
        third.record,
        fourth.record,
      ),
    );

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '200' }]);
    expect(changes).toEqual([first.change, third.change, fourth.change]);
    expect(failureLines()).toEqual([
      expect.objectContaining({ kind: 'handler_error', sequenceNumber: '200', reason: 'cannot project' }),
    ]);
  });

  it('hands each record its raw record and the Lambda context, one after another', async () => {
    const seen: string[] = [];
    const handler = createStreamConsumer({
      handleRecord: async (change, ctx) => {
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(`${change.sequenceNumber}:${ctx.record.eventID}:${ctx.lambdaContext?.awsRequestId}`);
      },
    });
    await handler(
      streamEvent(inserted('1').record, inserted('2').record),
      lambdaContext({ awsRequestId: 'req-7' }),
    );
    expect(seen).toEqual(['1:ev-1:req-7', '2:ev-2:req-7']);
  });

  it('fails the invocation when every record failed, unless told to return them all', async () => {
    const handleRecord = async (): Promise<never> => {
      throw new Error('down');
    };
    const event = streamEvent(inserted('1').record, inserted('2').record);
    await expect(createStreamConsumer({ handleRecord })(event)).rejects.toThrow(FullStreamBatchFailureError);
    await expect(
      createStreamConsumer({ handleRecord, throwOnFullBatchFailure: false })(event),
    ).resolves.toEqual({
      batchItemFailures: [{ itemIdentifier: '1' }, { itemIdentifier: '2' }],
    });
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
    const records = [inserted('100'), modified('200'), removed('300')];

    const response = await handler(streamEvent(...records.map((r) => r.record)));

    expect(batches).toEqual([records.map((r) => r.change)]);
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
    await expect(handler(streamEvent(inserted('1').record))).resolves.toEqual({ batchItemFailures: [] });
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
    const broken = inserted('2').record;
    delete (broken.dynamodb as { Keys?: unknown }).Keys;
    const response = await handler(streamEvent(inserted('1').record, broken));
    expect(seen).toEqual(['1']);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
  });

  it('fails every record when the batch handler throws, and the invocation unless told otherwise', async () => {
    const event = streamEvent(inserted('1').record, inserted('2').record);
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
