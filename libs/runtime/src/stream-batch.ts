import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamChange } from './consumers';
import { logger } from './logger';
import { withCorrelationId } from './middleware';

/** A record of the batch that could not be handled, by its stream sequence number. */
export interface StreamBatchFailure {
  sequenceNumber: string;
  reason: string;
  /** Put on the failure's log line, so it can be found with the rest of that record's story. */
  correlationId?: string;
  error?: unknown;
}

export interface StreamBatchConsumerOptions<T> {
  /**
   * Handles every change of the batch at once, in stream order, and returns the ones that failed
   * (none: all succeeded). Throwing fails the whole batch. Lambda resumes the shard at the first
   * failed sequence number, so every later record comes again: handling must be idempotent.
   */
  handleBatch: (
    changes: StreamChange<T>[],
    ctx: { records: DynamoDBRecord[]; lambdaContext?: Context },
  ) => Promise<StreamBatchFailure[]>;
  /** As createStreamConsumer's: when every record failed, throw so error alarms see it. Default true. */
  throwOnFullBatchFailure?: boolean;
}

/** Thrown when every record of a batch failed (the invocation fails; Lambda retries the batch). */
export class FullStreamBatchFailureError extends Error {
  constructor(readonly failures: StreamBatchFailure[]) {
    super(`all ${failures.length} records failed: ${failures[0]?.reason ?? ''}`);
    this.name = 'FullStreamBatchFailureError';
  }
}

/**
 * DynamoDB stream handler for consumers that gain from handling a batch as a whole (one PutEvents
 * per ten records instead of one per record, one counter update per batch), with the same partial
 * batch response and failure log lines as createStreamConsumer: each failed record is reported by
 * its sequence number (enable `ReportBatchItemFailures`) and logged once as `consumer_failure`.
 */
export function createStreamBatchConsumer<T = Record<string, unknown>>(
  options: StreamBatchConsumerOptions<T>,
): (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse> {
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
        failures.push({
          sequenceNumber: record.dynamodb?.SequenceNumber ?? '',
          reason: error instanceof Error ? error.message : String(error),
          error,
        });
      }
    }
    if (changes.length > 0) {
      try {
        failures.push(
          ...(await options.handleBatch(changes, {
            records,
            ...(context ? { lambdaContext: context } : {}),
          })),
        );
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        for (const change of changes) failures.push({ sequenceNumber: change.sequenceNumber, reason, error });
      }
    }
    if (failures.length === 0) return { batchItemFailures: [] };

    const bySequence = new Map(event.Records.map((r) => [r.dynamodb?.SequenceNumber ?? '', r]));
    for (const failure of failures) {
      const record = bySequence.get(failure.sequenceNumber);
      const line = () => {
        logger.error({
          message: 'consumer_failure',
          kind: 'handler_error',
          messageId: record?.eventID,
          sequenceNumber: failure.sequenceNumber,
          eventSourceARN: record?.eventSourceARN,
          reason: failure.reason,
          ...(failure.error instanceof Error ? { error: failure.error } : {}),
        });
        return Promise.resolve();
      };
      if (failure.correlationId) await withCorrelationId(failure.correlationId, line, logger);
      else await line();
    }
    if ((options.throwOnFullBatchFailure ?? true) && failures.length >= event.Records.length) {
      throw new FullStreamBatchFailureError(failures);
    }
    return { batchItemFailures: failures.map((f) => ({ itemIdentifier: f.sequenceNumber })) };
  };
}

function toStreamChange<T>(record: DynamoDBRecord): StreamChange<T> {
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
