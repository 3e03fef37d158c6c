import { messagesToDelete, toSqsRecord } from '../../../src/runner/event-sources/sqs-poller';
import type { SqsRecord } from '../../../src/runner/event-sources/sqs-poller';
import {
  firstFailedIndex,
  nextPollPause,
  toStreamRecord,
} from '../../../src/runner/event-sources/stream-poller';
import { recordFilter } from '../../../src/runner/event-sources/polling';
import type { DynamoDbStreamRecord } from '../../../src/runner/event-sources/stream-poller';

const sqsRecord = (messageId: string) => ({ messageId }) as SqsRecord;

describe('SQS batch outcome', () => {
  const batch = ['a', 'b', 'c'].map(sqsRecord);
  const ids = (records: SqsRecord[]) => records.map((r) => r.messageId);

  it('deletes all on success and none on error', () => {
    expect(ids(messagesToDelete(batch, { ok: true, result: null }, false))).toEqual(['a', 'b', 'c']);
    expect(messagesToDelete(batch, { ok: false }, true)).toEqual([]);
  });

  it('keeps the reported failures with ReportBatchItemFailures', () => {
    expect(
      ids(
        messagesToDelete(batch, { ok: true, result: { batchItemFailures: [{ itemIdentifier: 'b' }] } }, true),
      ),
    ).toEqual(['a', 'c']);
    expect(ids(messagesToDelete(batch, { ok: true, result: { batchItemFailures: [] } }, true))).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(ids(messagesToDelete(batch, { ok: true, result: undefined }, true))).toEqual(['a', 'b', 'c']);
  });

  it('fails the whole batch on a malformed response, as Lambda does', () => {
    expect(
      messagesToDelete(batch, { ok: true, result: { batchItemFailures: [{ itemIdentifier: 'zzz' }] } }, true),
    ).toEqual([]);
    expect(
      messagesToDelete(batch, { ok: true, result: { batchItemFailures: [{ itemIdentifier: '' }] } }, true),
    ).toEqual([]);
    expect(messagesToDelete(batch, { ok: true, result: { batchItemFailures: 'b' } }, true)).toEqual([]);
  });

  it('ignores reported failures without ReportBatchItemFailures', () => {
    expect(
      ids(
        messagesToDelete(
          batch,
          { ok: true, result: { batchItemFailures: [{ itemIdentifier: 'b' }] } },
          false,
        ),
      ),
    ).toEqual(['a', 'b', 'c']);
  });

  it("builds Lambda's SQS record", () => {
    const record = toSqsRecord(
      {
        MessageId: 'm1',
        ReceiptHandle: 'r1',
        Body: 'hi',
        MD5OfBody: 'md5',
        Attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1' },
        MessageAttributes: { bin: { DataType: 'Binary', BinaryValue: Buffer.from('x') } },
      },
      'arn:aws:sqs:us-east-1:000000000000:q',
      'us-east-1',
    );
    expect(record).toEqual({
      messageId: 'm1',
      receiptHandle: 'r1',
      body: 'hi',
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1' },
      messageAttributes: {
        bin: { binaryValue: 'eA==', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: 'md5',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
    });
  });
});

describe('stream batch outcome', () => {
  const records = ['1', '2', '3'].map(
    (SequenceNumber) => ({ dynamodb: { SequenceNumber } }) as unknown as DynamoDbStreamRecord,
  );

  it('resumes from the first failed record', () => {
    expect(
      firstFailedIndex(records, { batchItemFailures: [{ itemIdentifier: '3' }, { itemIdentifier: '2' }] }),
    ).toBe(1);
    expect(firstFailedIndex(records, { batchItemFailures: [] })).toBe(-1);
    expect(firstFailedIndex(records, null)).toBe(-1);
    expect(firstFailedIndex(records, { batchItemFailures: [{ itemIdentifier: 'x' }] })).toBe(0);
  });

  it("builds Lambda's DynamoDB stream record", () => {
    const record = toStreamRecord(
      {
        eventID: 'e1',
        eventName: 'INSERT',
        eventVersion: '1.1',
        awsRegion: 'ddblocal',
        dynamodb: {
          ApproximateCreationDateTime: new Date(1_700_000_000_000),
          Keys: { pk: { S: 'a' } },
          NewImage: { pk: { S: 'a' }, b: { B: Buffer.from('x') }, m: { M: { n: { N: '1' } } } },
          SequenceNumber: '100',
          SizeBytes: 10,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
      'arn:stream',
      'us-east-1',
    );
    expect(record).toEqual({
      eventID: 'e1',
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: {
        ApproximateCreationDateTime: 1_700_000_000,
        Keys: { pk: { S: 'a' } },
        NewImage: { pk: { S: 'a' }, b: { B: 'eA==' }, m: { M: { n: { N: '1' } } } },
        SequenceNumber: '100',
        SizeBytes: 10,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      eventSourceARN: 'arn:stream',
    });
  });
});

describe('stream shard polling pace', () => {
  const pace = { idlePollIntervalMs: 250, busyPollIntervalMs: 20, busyForMs: 1_000 };

  it('reads a shard that returned records within the last second every 20 ms, an idle one 4 times a second', () => {
    expect(nextPollPause({ ...pace, now: 10_000, lastRecordsAt: 9_500, windowEnds: undefined })).toBe(20);
    expect(nextPollPause({ ...pace, now: 10_000, lastRecordsAt: 9_000, windowEnds: undefined })).toBe(250);
    expect(nextPollPause({ ...pace, now: 10_000, lastRecordsAt: 0, windowEnds: undefined })).toBe(250);
  });

  it('never pauses past the end of an open batching window', () => {
    expect(nextPollPause({ ...pace, now: 10_000, lastRecordsAt: 0, windowEnds: 10_100 })).toBe(100);
    expect(nextPollPause({ ...pace, now: 10_000, lastRecordsAt: 9_990, windowEnds: 10_100 })).toBe(20);
  });
});

describe('stream record filters (FilterCriteria)', () => {
  const record = (eventName: string, sk: string) => ({
    eventName,
    dynamodb: { Keys: { pk: { S: 'x' }, sk: { S: sk } } },
  });

  it('passes a record any pattern matches, and has nothing to do without patterns', () => {
    const outbox = recordFilter({
      logicalId: 'PublishOutboxMapping',
      filterPatterns: [
        JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: ['OUTBOX'] } } } }),
        JSON.stringify({ eventName: ['REMOVE'] }),
      ],
    })!;
    expect(outbox(record('INSERT', 'OUTBOX'))).toBe(true);
    expect(outbox(record('MODIFY', 'OUTBOX'))).toBe(false);
    expect(outbox(record('INSERT', 'KEY'))).toBe(false);
    expect(outbox(record('REMOVE', 'KEY'))).toBe(true);
    expect(recordFilter({ logicalId: 'Plain', filterPatterns: [] })).toBeUndefined();
  });

  it('names the mapping whose pattern the local matcher cannot read', () => {
    expect(() => recordFilter({ logicalId: 'BadMapping', filterPatterns: ['{"eventName": '] })).toThrow(
      /event source mapping BadMapping: filter pattern not usable locally/,
    );
  });
});
