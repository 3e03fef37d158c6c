import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { errorMessage, logConsumerFailure } from './consumer-log';
import { logger } from './logger';
import { withCorrelationId } from './middleware';

/**
 * The DynamoDB stream handler: one record at a time (`handleRecord`) or the whole batch at once
 * (`handleBatch`, for consumers that gain from it: one PutEvents per ten records, one counter update
 * per batch). Either way the answer is a partial batch response (enable `ReportBatchItemFailures` on
 * the event source, or Lambda ignores it): each failed record is reported by its sequence number
 * and logged once as `consumer_failure`.
 *
 * Lambda resumes the shard at the first failed sequence number, so every later record comes again:
 * handling must be idempotent. Configure the event source's `maximumRetryAttempts` and an on-failure
 * destination, which play the part of SQS's maxReceiveCount and DLQ.
 */

/** One DynamoDB stream record, images unmarshalled to plain objects. */
export interface StreamChange<T = Record<string, unknown>> {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  keys: Record<string, unknown>;
  newImage?: T;
  oldImage?: T;
  sequenceNumber: string;
}

export interface StreamRecordContext {
  record: DynamoDBRecord;
  lambdaContext?: Context;
}

export interface StreamBatchContext {
  /** The records of the changes, in the same order. */
  records: DynamoDBRecord[];
  lambdaContext?: Context;
}

/** A record of the batch that could not be handled, by its stream sequence number. */
export interface StreamBatchFailure {
  sequenceNumber: string;
  reason: string;
  /** Put on the failure's log line, so it can be found with the rest of that record's story. */
  correlationId?: string;
  error?: unknown;
}

interface CommonOptions {
  /** When every record failed, throw so the invocation fails and error alarms see it. Default true. */
  throwOnFullBatchFailure?: boolean;
}

export type StreamConsumerOptions<T> = CommonOptions &
  (
    | {
        /** Handles one change; throwing fails its record. Records are handled one after another. */
        handleRecord: (change: StreamChange<T>, ctx: StreamRecordContext) => Promise<void>;
        handleBatch?: never;
      }
    | {
        /**
         * Handles every change of the batch at once, in stream order, and returns the ones that
         * failed (none: all succeeded). Throwing fails the whole batch.
         */
        handleBatch: (changes: StreamChange<T>[], ctx: StreamBatchContext) => Promise<StreamBatchFailure[]>;
        handleRecord?: never;
      }
  );

/** Thrown when every record of a batch failed (the invocation fails; Lambda retries the batch). */
export class FullStreamBatchFailureError extends Error {
  constructor(readonly failures: StreamBatchFailure[]) {
    super(`all ${failures.length} records failed: ${failures[0]?.reason ?? ''}`);
    this.name = 'FullStreamBatchFailureError';
  }
}

export function createStreamConsumer<T = Record<string, unknown>>(
  options: StreamConsumerOptions<T>,
): (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse> {
  const handleBatch = options.handleBatch ?? oneAfterAnother(options.handleRecord);
  return async (event, context) => {
    if (context) logger.addContext(context);
    const failures: StreamBatchFailure[] = [];
    const changes: StreamChange<T>[] = [];
    const records: DynamoDBRecord[] = [];
    for (const record of event.Records) {
      try {
        changes.push(toStreamChange<T>(record));
        records.push(record);
      } catch (error) {
        failures.push(failureOf(record.dynamodb?.SequenceNumber ?? '', error));
      }
    }
    if (changes.length > 0) {
      try {
        failures.push(
          ...(await handleBatch(changes, { records, ...(context ? { lambdaContext: context } : {}) })),
        );
      } catch (error) {
        for (const change of changes) failures.push(failureOf(change.sequenceNumber, error));
      }
    }
    if (failures.length === 0) return { batchItemFailures: [] };

    await logFailures(event.Records, failures);
    if ((options.throwOnFullBatchFailure ?? true) && failures.length >= event.Records.length) {
      throw new FullStreamBatchFailureError(failures);
    }
    return { batchItemFailures: failures.map((f) => ({ itemIdentifier: f.sequenceNumber })) };
  };
}

/** A per-record handler as a batch handler: stream order matters within a shard, so no concurrency. */
function oneAfterAnother<T>(
  handleRecord: (change: StreamChange<T>, ctx: StreamRecordContext) => Promise<void>,
): (changes: StreamChange<T>[], ctx: StreamBatchContext) => Promise<StreamBatchFailure[]> {
  return async (changes, { records, lambdaContext }) => {
    const failures: StreamBatchFailure[] = [];
    for (const [index, change] of changes.entries()) {
      const record = records[index] as DynamoDBRecord;
      try {
        await handleRecord(change, { record, ...(lambdaContext ? { lambdaContext } : {}) });
      } catch (error) {
        failures.push(failureOf(change.sequenceNumber, error));
      }
    }
    return failures;
  };
}

function failureOf(sequenceNumber: string, error: unknown): StreamBatchFailure {
  return { sequenceNumber, reason: errorMessage(error), error };
}

/** One `consumer_failure` line per failed record, with the record's correlation id when known. */
async function logFailures(records: DynamoDBRecord[], failures: StreamBatchFailure[]): Promise<void> {
  const bySequence = new Map(records.map((r) => [r.dynamodb?.SequenceNumber ?? '', r]));
  for (const failure of failures) {
    const record = bySequence.get(failure.sequenceNumber);
    const line = async () =>
      logConsumerFailure({
        kind: 'handler_error',
        messageId: record?.eventID,
        sequenceNumber: failure.sequenceNumber,
        eventSourceARN: record?.eventSourceARN,
        reason: failure.reason,
        error: failure.error,
      });
    if (failure.correlationId) await withCorrelationId(failure.correlationId, line, logger);
    else await line();
  }
}

/** A stream record as a change with plain-object images; throws when the record lacks its keys. */
export function toStreamChange<T = Record<string, unknown>>(record: DynamoDBRecord): StreamChange<T> {
  const data = record.dynamodb;
  if (!record.eventName || !data?.Keys || !data.SequenceNumber) {
    throw new Error('stream record lacks eventName, Keys or SequenceNumber');
  }
  // aws-lambda's AttributeValue type and the SDK's describe the same wire shape.
  const plain = (image: unknown) => unmarshall(image as Record<string, AttributeValue>);
  return {
    eventName: record.eventName,
    keys: plain(data.Keys),
    ...(data.NewImage ? { newImage: plain(data.NewImage) as T } : {}),
    ...(data.OldImage ? { oldImage: plain(data.OldImage) as T } : {}),
    sequenceNumber: data.SequenceNumber,
  };
}
