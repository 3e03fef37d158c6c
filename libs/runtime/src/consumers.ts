import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Contract, MessageOf } from '@switchyard/contracts';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamoDbDocumentClient } from './aws-clients';
import { CONSUMER_FAILURES_TABLE_VARIABLE, consumerFailureUpdate } from './consumer-failures';
import type { ConsumerFailureInput } from './consumer-failures';
import { errorMessage, logConsumerFailure } from './consumer-log';
import { logger } from './logger';
import { withCorrelationId } from './middleware';
import { runWithCorrelationId } from './correlation';

/**
 * The Lambda handler for SQS batches, on Powertools BatchProcessor with partial batch responses:
 * the function's event source mapping must enable `ReportBatchItemFailures`, otherwise Lambda
 * ignores the response and one bad record retries the whole batch. (DynamoDB streams: see
 * ./stream-consumer.ts.)
 *
 * Why a record failed is written as one structured log line, `consumer_failure` (./consumer-log.ts).
 * When the function's environment names a table in `CONSUMER_FAILURES_TABLE`, the consumer also
 * records the last failure of each message there by message id (see ./consumer-failures.ts), which
 * `npx switchyard dlq peek` shows.
 */

/** What to do with a record that does not match any of the consumer's contracts. */
export type PoisonPolicy = 'fail' | 'drop';

export interface EventBridgeEnvelope {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  time: string;
  account?: string;
  region?: string;
  resources?: string[];
  detail: unknown;
}

export interface SqsMessageContext<C extends Contract> {
  /** The contract the message matched. With several contracts, switch on `contract.detailType`. */
  contract: C;
  record: SQSRecord;
  /** Present when an EventBridge rule delivered the message (the body was the event envelope). */
  envelope?: EventBridgeEnvelope;
  lambdaContext?: Context;
}

export interface SqsConsumerOptions<C extends Contract> {
  contract: C | readonly C[];
  handleMessage: (message: MessageOf<C>, ctx: SqsMessageContext<C>) => Promise<void>;
  /**
   * 'fail' (default): report the record as a batch item failure. SQS redelivers it until the queue's
   * `maxReceiveCount`, then moves it to the DLQ, where it can be inspected and replayed.
   * 'drop': acknowledge it; only the error log line remains. For queues where a bad message must not
   * cost retries and a DLQ entry is not wanted.
   */
  onPoison?: PoisonPolicy;
  /**
   * Powertools' default (true) makes the invocation fail when every record failed, so Lambda error
   * metrics and alarms see it; SQS redelivers the whole batch either way.
   */
  throwOnFullBatchFailure?: boolean;
  /**
   * Handle the batch's records concurrently instead of one after another: for consumers whose
   * records wait on something slow and independent (delivery's webhook sends), so one slow record
   * does not hold up the others. Order is not kept, and since the log keys are shared by the
   * invocation, log lines then carry no per-record `correlationId` key: log the ids you need
   * explicitly. Publishing still defaults to each record's correlation id.
   */
  processInParallel?: boolean;
}

/** A record that does not match the consumer's contracts. */
export class PoisonMessageError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'PoisonMessageError';
  }
}

export function createSqsConsumer<C extends Contract>(
  options: SqsConsumerOptions<C>,
): (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse> {
  const contracts = (Array.isArray(options.contract) ? options.contract : [options.contract]) as readonly C[];
  if (contracts.length === 0) throw new Error('createSqsConsumer: at least one contract is required');
  const onPoison = options.onPoison ?? 'fail';

  const handleRecord = async (record: SQSRecord, lambdaContext?: Context): Promise<void> => {
    const parsed = parseSqsRecord(record, contracts);
    if (!parsed.ok) {
      logConsumerFailure({
        kind: 'poison',
        action: onPoison,
        messageId: record.messageId,
        receiveCount: record.attributes?.ApproximateReceiveCount,
        eventSourceARN: record.eventSourceARN,
        reason: parsed.reason,
      });
      if (onPoison === 'fail') {
        await recordFailure(record, { kind: 'poison', reason: parsed.reason });
        throw new PoisonMessageError(parsed.reason);
      }
      return;
    }
    const { message, contract, envelope } = parsed;
    const correlate = options.processInParallel ? runWithCorrelationId : withRecordCorrelation;
    await correlate(message.correlationId, async () => {
      try {
        await options.handleMessage(message, {
          contract,
          record,
          ...(envelope ? { envelope } : {}),
          ...(lambdaContext ? { lambdaContext } : {}),
        });
      } catch (error) {
        logConsumerFailure({
          kind: 'handler_error',
          messageId: record.messageId,
          correlationId: message.correlationId,
          receiveCount: record.attributes?.ApproximateReceiveCount,
          eventSourceARN: record.eventSourceARN,
          detailType: contract.detailType,
          reason: errorMessage(error),
          error,
        });
        await recordFailure(record, {
          kind: 'handler_error',
          reason: describeError(error),
          detailType: contract.detailType,
          eventId: message.id,
          tenantId: message.tenantId,
        });
        throw error;
      }
    });
  };

  return async (event, context) => {
    if (context) logger.addContext(context);
    // One processor per invocation: its state must not be shared between concurrent invocations.
    const processor = new BatchProcessor(EventType.SQS, { logger });
    return (await processPartialResponse(event, handleRecord, processor, {
      ...(context ? { context } : {}),
      // Sequential by default, so the per-record log keys (correlation id) are right and order is kept.
      processInParallel: options.processInParallel ?? false,
      throwOnFullBatchFailure: options.throwOnFullBatchFailure ?? true,
    })) as SQSBatchResponse;
  };
}

/**
 * Records why a message failed in the table named by `CONSUMER_FAILURES_TABLE`, when there is one.
 * Best effort: a failure to record is logged and never changes the record's outcome. Shared with
 * ./sqs-batch-consumer.ts.
 */
export async function recordFailure(
  record: SQSRecord,
  failure: Pick<ConsumerFailureInput, 'kind' | 'reason' | 'detailType' | 'eventId' | 'tenantId'>,
): Promise<void> {
  const tableName = process.env[CONSUMER_FAILURES_TABLE_VARIABLE];
  if (!tableName) return;
  const receiveCount = Number(record.attributes?.ApproximateReceiveCount);
  try {
    await dynamoDbDocumentClient().send(
      new UpdateCommand(
        consumerFailureUpdate(tableName, {
          ...failure,
          messageId: record.messageId,
          eventSourceARN: record.eventSourceARN,
          ...(process.env.AWS_LAMBDA_FUNCTION_NAME
            ? { functionName: process.env.AWS_LAMBDA_FUNCTION_NAME }
            : {}),
          ...(Number.isFinite(receiveCount) ? { receiveCount } : {}),
        }),
      ),
    );
  } catch (error) {
    logger.warn({
      message: 'consumer_failure_not_recorded',
      messageId: record.messageId,
      tableName,
      reason: errorMessage(error),
    });
  }
}

/** `Name: message` for named errors (ResourceNotFoundException says more than its message alone). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
}

type ParseResult<C extends Contract> =
  | { ok: true; message: MessageOf<C>; contract: C; envelope?: EventBridgeEnvelope }
  | { ok: false; reason: string };

/**
 * Finds the contract of one SQS record and parses it. The body is either an EventBridge envelope
 * (a rule targets the queue; `detail` is the message) or a raw message (sent with sendToQueue).
 */
export function parseSqsRecord<C extends Contract>(
  record: SQSRecord,
  contracts: readonly C[],
): ParseResult<C> {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return { ok: false, reason: 'body is not JSON' };
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { ok: false, reason: 'body is not a JSON object' };
  }

  if (isEnvelope(body)) {
    const named = contracts.filter((c) => c.source === body.source && c.detailType === body['detail-type']);
    if (named.length === 0) {
      return { ok: false, reason: `no contract for ${body.source}/${body['detail-type']}` };
    }
    return parseAgainst(named, body.detail, body);
  }

  // A raw message does not name its type; sendToQueue adds it as attributes, used when present.
  const attrs = record.messageAttributes ?? {};
  const detailType = attrs.detailType?.stringValue;
  const source = attrs.source?.stringValue;
  const named = contracts.filter(
    (c) => (!detailType || c.detailType === detailType) && (!source || c.source === source),
  );
  if (named.length === 0) return { ok: false, reason: `no contract for ${source ?? '?'}/${detailType}` };
  return parseAgainst(named, body);
}

function parseAgainst<C extends Contract>(
  candidates: readonly C[],
  message: unknown,
  envelope?: EventBridgeEnvelope,
): ParseResult<C> {
  const version = (message as { version?: unknown } | null)?.version;
  const sameVersion = candidates.filter((c) => c.version === version);
  if (sameVersion.length === 0) {
    return {
      ok: false,
      reason: `unsupported version ${JSON.stringify(version)} of ${describe(candidates)}`,
    };
  }
  const failures: string[] = [];
  const matches: { contract: C; message: MessageOf<C> }[] = [];
  for (const contract of sameVersion) {
    const parsed = contract.schema.safeParse(message);
    if (parsed.success) matches.push({ contract, message: parsed.data as MessageOf<C> });
    else {
      const issues = parsed.error.issues.map(
        (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`,
      );
      failures.push(`${describe([contract])}: ${issues.join('; ')}`);
    }
  }
  const [match, ...others] = matches;
  if (!match) return { ok: false, reason: `does not match ${failures.join(' | ')}` };
  if (others.length > 0) {
    return { ok: false, reason: `ambiguous: matches ${describe(matches.map((m) => m.contract))}` };
  }
  return { ok: true, ...match, ...(envelope ? { envelope } : {}) };
}

function isEnvelope(body: object): body is EventBridgeEnvelope {
  const b = body as Record<string, unknown>;
  return typeof b['detail-type'] === 'string' && typeof b.source === 'string' && 'detail' in b;
}

function describe(contracts: readonly Contract[]): string {
  return contracts.map((c) => `${c.source}/${c.detailType} v${c.version}`).join(', ');
}

/**
 * Handles one record with its own correlation id: on every log line (middleware's key) and as the
 * default of publish/sendToQueue, so events a consumer emits continue the chain.
 */
function withRecordCorrelation<R>(correlationId: string, fn: () => Promise<R>): Promise<R> {
  return withCorrelationId(correlationId, () => runWithCorrelationId(correlationId, fn), logger);
}
