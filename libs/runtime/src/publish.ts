import { currentCorrelationId } from './correlation';
import { randomUUID } from 'node:crypto';
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { eventBridgeEntrySize } from '@switchyard/contracts';
import type { BodyOf, Contract, MessageOf } from '@switchyard/contracts';
import { eventBridgeClient, sqsClient, sqsSdk } from './aws-clients';
import { logger } from './logger';

/** What a producer supplies: the body plus the tenant; the rest of the header is filled in. */
export type PublishInput<C extends Contract> = BodyOf<C> & {
  tenantId: string;
  /** Defaults to `options.correlationId`, then the current invocation's, then a new one. */
  correlationId?: string;
  /** Defaults to a new UUID. Pass a stable id to make re-publishing detectable downstream. */
  id?: string;
  /** Defaults to now. */
  time?: string;
};

export interface PublishOptions {
  correlationId?: string;
  /** Total attempts per entry, the first included. Default 3. */
  maxAttempts?: number;
  /** Backoff base: attempt n waits a random time in [0, base * 2^(n-1)] ("full jitter"). Default 100. */
  baseDelayMs?: number;
  /** Upper bound of one wait. Default 2000. */
  maxDelayMs?: number;
  /** Defaults to env `EVENT_BUS_NAME` (publish only). */
  eventBusName?: string;
}

/** The longest delay SQS accepts for one message (15 minutes). */
export const MAX_QUEUE_DELAY_SECONDS = 900;

export interface SendToQueueOptions extends Omit<PublishOptions, 'eventBusName'> {
  /** SQS DelaySeconds for every message of the call: 0–900 (an integer); default the queue's. */
  delaySeconds?: number;
}

export interface FailedEntry {
  id: string;
  errorCode: string;
  errorMessage: string;
}

/** `sent` and `failed` hold message header ids. Nothing is dropped silently: check `failed`. */
export interface PublishResult {
  sent: string[];
  failed: FailedEntry[];
}

/** A message does not satisfy its contract (or cannot be sent at all); nothing was sent. */

export class MessageValidationError extends Error {
  constructor(
    readonly contractName: string,
    readonly index: number,
    readonly issues: { path: string; message: string }[],
  ) {
    super(
      `${contractName}: message [${index}] is invalid: ` +
        issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '),
    );
    this.name = 'MessageValidationError';
  }
}

// Both PutEvents and SendMessageBatch take at most 10 entries and 256 KiB per request.
const MAX_BATCH_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

// Entry error codes that fail the same way on every attempt; everything else (InternalFailure,
// ThrottlingException, ...) is worth retrying.
const PERMANENT_EVENTBRIDGE_CODES = new Set([
  'MalformedDetail',
  'InvalidArgument',
  'AccessDeniedException',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
  'ValidationException',
]);

/**
 * Publishes bus messages through EventBridge PutEvents: fills and validates every header, then
 * sends in batches of at most 10 entries / 256 KiB, retrying only the entries EventBridge rejected.
 * Throws MessageValidationError before sending anything if any message is invalid.
 */
export async function publish<C extends Contract>(
  contract: C,
  details: PublishInput<C> | readonly PublishInput<C>[],
  options: PublishOptions = {},
): Promise<PublishResult> {
  if (contract.channel !== 'bus') {
    throw new Error(`${nameOf(contract)} is a '${contract.channel}' message; use sendToQueue`);
  }
  const eventBusName = options.eventBusName ?? process.env.EVENT_BUS_NAME;
  if (!eventBusName) throw new Error('EVENT_BUS_NAME is not set; cannot publish ' + nameOf(contract));

  const items = buildMessages(contract, details, options).map((message, index) => {
    const entry: PutEventsRequestEntry = {
      EventBusName: eventBusName,
      Source: contract.source,
      DetailType: contract.detailType,
      Detail: JSON.stringify(message),
      Time: new Date(message.time),
    };
    const size = eventBridgeEntrySize(entry);
    assertFits(contract, index, size);
    return { id: message.id, entry, size };
  });

  return deliver(contract, items, options, async (batch) => {
    const response = await eventBridgeClient().send(
      new PutEventsCommand({ Entries: batch.map((item) => item.entry) }),
    );
    // PutEvents answers positionally: Entries[i] is the result of request entry i.
    return batch.map((_, i) => {
      const result = response.Entries?.[i];
      if (!result?.ErrorCode) return { ok: true as const };
      return {
        ok: false as const,
        errorCode: result.ErrorCode,
        errorMessage: result.ErrorMessage ?? '',
        retryable: !PERMANENT_EVENTBRIDGE_CODES.has(result.ErrorCode),
      };
    });
  });
}

/**
 * Sends queue messages with SendMessageBatch (10 per request, 256 KiB), same validation and retry
 * semantics as publish: only entries SQS failed without `SenderFault` are retried. Each message
 * carries `source`, `detailType` and `correlationId` attributes so consumers and DLQ tooling can tell
 * messages apart without parsing them. Standard queues only (no MessageGroupId).
 */
export async function sendToQueue<C extends Contract>(
  contract: C,
  details: PublishInput<C> | readonly PublishInput<C>[],
  queueUrl: string,
  options: SendToQueueOptions = {},
): Promise<PublishResult> {
  if (contract.channel !== 'queue') {
    throw new Error(`${nameOf(contract)} is a '${contract.channel}' message; use publish`);
  }
  if (!queueUrl) throw new Error('sendToQueue: queueUrl is empty for ' + nameOf(contract));
  const delaySeconds = options.delaySeconds;
  if (
    delaySeconds !== undefined &&
    (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_QUEUE_DELAY_SECONDS)
  ) {
    throw new Error(
      `sendToQueue: delaySeconds must be an integer from 0 to ${MAX_QUEUE_DELAY_SECONDS} (got ${delaySeconds})`,
    );
  }

  const items = buildMessages(contract, details, options).map((message, index) => {
    const attributes = {
      source: contract.source,
      detailType: contract.detailType,
      correlationId: message.correlationId,
    };
    const body = JSON.stringify(message);
    const size =
      bytes(body) +
      Object.entries(attributes).reduce((sum, [k, v]) => sum + bytes(k) + bytes('String') + bytes(v), 0);
    assertFits(contract, index, size);
    const entry: Omit<SendMessageBatchRequestEntry, 'Id'> = {
      MessageBody: body,
      ...(delaySeconds ? { DelaySeconds: delaySeconds } : {}),
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      ),
    };
    return { id: message.id, entry, size };
  });

  return deliver(contract, items, options, async (batch) => {
    // Batch entry ids only need to be unique within one request; positions are.
    const response = await sqsClient().send(
      new (sqsSdk().SendMessageBatchCommand)({
        QueueUrl: queueUrl,
        Entries: batch.map((item, i) => ({ ...item.entry, Id: `m${i}` })),
      }),
    );
    const ok = new Set((response.Successful ?? []).map((s) => s.Id));
    const failures = new Map((response.Failed ?? []).map((f) => [f.Id, f]));
    return batch.map((_, i) => {
      const failure = failures.get(`m${i}`);
      if (!failure && ok.has(`m${i}`)) return { ok: true as const };
      return {
        ok: false as const,
        errorCode: failure?.Code ?? 'UnknownResult',
        errorMessage: failure?.Message ?? 'SQS reported neither success nor failure for this entry',
        retryable: failure?.SenderFault !== true,
      };
    });
  });
}

type Outcome = { ok: true } | { ok: false; errorCode: string; errorMessage: string; retryable: boolean };

interface Item<E> {
  id: string;
  entry: E;
  size: number;
}

/** Fills and validates headers; throws MessageValidationError naming the first bad message. */
export function buildMessages<C extends Contract>(
  contract: C,
  details: PublishInput<C> | readonly PublishInput<C>[],
  options: PublishOptions = {},
): MessageOf<C>[] {
  const list = (Array.isArray(details) ? details : [details]) as readonly PublishInput<C>[];
  const fallbackCorrelationId = options.correlationId ?? currentCorrelationId();
  // Validate everything first: a bad message must not leave half of a call's messages sent.
  return list.map((detail, index) => {
    const candidate = {
      ...detail,
      version: contract.version,
      id: detail.id ?? randomUUID(),
      time: detail.time ?? new Date().toISOString(),
      correlationId: detail.correlationId ?? fallbackCorrelationId ?? randomUUID(),
    };
    const parsed = contract.schema.safeParse(candidate);
    if (!parsed.success) {
      throw new MessageValidationError(
        nameOf(contract),
        index,
        parsed.error.issues.map((issue) => ({
          path: issue.path.map(String).join('.'),
          message: issue.message,
        })),
      );
    }
    return parsed.data as MessageOf<C>;
  });
}

async function deliver<E>(
  contract: Contract,
  items: Item<E>[],
  options: PublishOptions,
  sendBatch: (batch: Item<E>[]) => Promise<Outcome[]>,
): Promise<PublishResult> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const result: PublishResult = { sent: [], failed: [] };

  for (const batch of toBatches(items)) {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let outcomes: Outcome[];
      try {
        outcomes = await sendBatch(pending);
      } catch (error) {
        // The SDK has already retried the request itself (standard retry mode); what is left is
        // not transient (no such bus/queue, access denied, ...), so report the batch as failed.
        const err = error as Error;
        outcomes = pending.map(() => ({
          ok: false,
          errorCode: err.name || 'Error',
          errorMessage: err.message,
          retryable: false,
        }));
      }
      const retry: Item<E>[] = [];
      outcomes.forEach((outcome, i) => {
        const item = pending[i]!;
        if (outcome.ok) {
          result.sent.push(item.id);
        } else if (outcome.retryable && attempt < maxAttempts) {
          retry.push(item);
        } else {
          result.failed.push({
            id: item.id,
            errorCode: outcome.errorCode,
            errorMessage: outcome.errorMessage,
          });
        }
      });
      pending = retry;
      if (pending.length > 0) await sleep(backoff(attempt, options));
    }
  }

  if (result.failed.length > 0) {
    logger.error({
      message: 'publish_failed',
      contract: nameOf(contract),
      sent: result.sent.length,
      failed: result.failed,
    });
  }
  return result;
}

function toBatches<E>(items: Item<E>[]): Item<E>[][] {
  const batches: Item<E>[][] = [];
  let current: Item<E>[] = [];
  let size = 0;
  for (const item of items) {
    if (current.length === MAX_BATCH_ENTRIES || size + item.size > MAX_REQUEST_BYTES) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += item.size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function backoff(attempt: number, options: PublishOptions): number {
  const base = options.baseDelayMs ?? 100;
  const cap = options.maxDelayMs ?? 2000;
  return Math.random() * Math.min(cap, base * 2 ** (attempt - 1));
}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

function assertFits(contract: Contract, index: number, size: number): void {
  if (size > MAX_REQUEST_BYTES) {
    throw new MessageValidationError(nameOf(contract), index, [
      { path: '', message: `message is ${size} bytes; the limit is ${MAX_REQUEST_BYTES}` },
    ]);
  }
}

function bytes(value: string | undefined): number {
  return value === undefined ? 0 : Buffer.byteLength(value, 'utf8');
}

function nameOf(contract: Contract): string {
  return `${contract.source}/${contract.detailType} v${contract.version}`;
}
