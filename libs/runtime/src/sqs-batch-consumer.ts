import type { Contract, MessageOf } from '@switchyard/contracts';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { errorMessage, logConsumerFailure } from './consumer-log';
import { describeError, parseSqsRecord, recordFailure } from './consumers';
import { logger } from './logger';

/**
 * The Lambda handler for SQS consumers that gain from handling a batch as a whole (billing's usage
 * meter: one write per tenant and period per batch instead of one per message), as
 * `createStreamConsumer({ handleBatch })` is for streams. Every record is parsed against the
 * contracts first; a record that matches none is poison and fails alone (logged, recorded, retried,
 * then in the DLQ, as with `createSqsConsumer`). `handleBatch` gets the parsed messages and returns
 * the ones that failed, by SQS message id; throwing fails the whole batch. Partial batch responses:
 * the event source mapping must enable `ReportBatchItemFailures`.
 */
export interface SqsBatchItem<C extends Contract> {
  message: MessageOf<C>;
  contract: C;
  record: SQSRecord;
}

export interface SqsBatchFailure {
  /** The SQS message id of the record that failed. */
  messageId: string;
  reason: string;
  error?: unknown;
}

export interface SqsBatchConsumerOptions<C extends Contract> {
  contract: C | readonly C[];
  handleBatch: (items: SqsBatchItem<C>[], ctx: { lambdaContext?: Context }) => Promise<SqsBatchFailure[]>;
  /** As `createSqsConsumer`'s: the invocation throws when every record failed (default true). */
  throwOnFullBatchFailure?: boolean;
}

/** Thrown when every record of the batch failed, so Lambda's error metric and alarms see it. */
export class FullSqsBatchFailureError extends Error {
  constructor(count: number) {
    super(`all ${count} records of the batch failed`);
    this.name = 'FullSqsBatchFailureError';
  }
}

export function createSqsBatchConsumer<C extends Contract>(
  options: SqsBatchConsumerOptions<C>,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const contracts = (Array.isArray(options.contract) ? options.contract : [options.contract]) as readonly C[];
  if (contracts.length === 0) throw new Error('createSqsBatchConsumer: at least one contract is required');

  return async (event, context) => {
    if (context) logger.addContext(context);
    const records = event.Records ?? [];
    const failed = new Map<string, { reason: string; kind: 'poison' | 'handler_error'; error?: unknown }>();
    const items: SqsBatchItem<C>[] = [];
    for (const record of records) {
      const parsed = parseSqsRecord(record, contracts);
      if (parsed.ok) items.push({ message: parsed.message, contract: parsed.contract, record });
      else failed.set(record.messageId, { reason: parsed.reason, kind: 'poison' });
    }
    if (items.length > 0) {
      let failures: SqsBatchFailure[];
      try {
        failures = await options.handleBatch(items, context ? { lambdaContext: context } : {});
      } catch (error) {
        failures = items.map((item) => ({
          messageId: item.record.messageId,
          reason: errorMessage(error),
          error,
        }));
      }
      for (const failure of failures) {
        failed.set(failure.messageId, {
          reason: failure.reason,
          kind: 'handler_error',
          error: failure.error,
        });
      }
    }
    for (const record of records) {
      const failure = failed.get(record.messageId);
      if (!failure) continue;
      const item = items.find((i) => i.record === record);
      logConsumerFailure({
        kind: failure.kind,
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        eventSourceARN: record.eventSourceARN,
        reason: failure.reason,
        ...(item ? { correlationId: item.message.correlationId, detailType: item.contract.detailType } : {}),
        ...(failure.error ? { error: failure.error } : {}),
      });
      await recordFailure(record, {
        kind: failure.kind,
        reason: failure.error ? describeError(failure.error) : failure.reason,
        ...(item
          ? {
              detailType: item.contract.detailType,
              eventId: item.message.id,
              tenantId: item.message.tenantId,
            }
          : {}),
      });
    }
    if (records.length > 0 && failed.size === records.length && (options.throwOnFullBatchFailure ?? true)) {
      throw new FullSqsBatchFailureError(records.length);
    }
    return { batchItemFailures: [...failed.keys()].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
