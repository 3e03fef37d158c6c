/**
 * What a DLQ message is, read from its body and attributes without trusting either (pure).
 *
 * A message in a Switchyard DLQ is one of:
 * - `event`: an EventBridge envelope a bus rule delivered (source, detail-type, `detail` = the message);
 * - `message`: a raw queue message sent with `sendToQueue` (the header is the body; `source` and
 *   `detailType` are message attributes);
 * - `stream-failure`: Lambda's record of a stream batch it gave up on (an on-failure destination);
 *   it names a shard and a range of sequence numbers, not the records themselves;
 * - `unknown`: anything else (not JSON, or no recognisable shape).
 * Contracts are looked up with `findContract(source, detailType, version)` (docs/conventions.md).
 */
import { findContract } from '@switchyard/contracts';

export interface SqsMessageLike {
  MessageId?: string;
  ReceiptHandle?: string;
  Body?: string;
  Attributes?: Partial<Record<string, string>>;
  MessageAttributes?: Record<string, { StringValue?: string; DataType?: string } | undefined>;
}

export type MessageKind = 'event' | 'message' | 'stream-failure' | 'unknown';

export interface StreamBatchInfo {
  functionArn?: string;
  condition?: string;
  approximateInvokeCount?: number;
  functionError?: string;
  streamArn?: string;
  shardId?: string;
  startSequenceNumber?: string;
  endSequenceNumber?: string;
  batchSize?: number;
  firstRecordAt?: string;
  lastRecordAt?: string;
}

export interface DecodedMessage {
  messageId: string;
  kind: MessageKind;
  /** When the message was first sent to its source queue (SQS keeps it through a redrive). */
  sentAt?: string;
  /** SQS's count, which includes the consumer's receives (and earlier peeks). */
  receiveCount?: number;
  source?: string;
  detailType?: string;
  version?: number;
  /** The message header's id (what consumers de-duplicate on). */
  eventId?: string;
  tenantId?: string;
  correlationId?: string;
  /** The header's `time`: when the producer created the message. */
  time?: string;
  /** Whether the message matches its contract: 'unknown' when no contract has its name and version. */
  contract: 'valid' | 'invalid' | 'unknown' | 'n/a';
  /** Why the message does not decode or does not match its contract. */
  problem?: string;
  stream?: StreamBatchInfo;
  bodyBytes: number;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

export function decodeMessage(message: SqsMessageLike): DecodedMessage {
  const body = message.Body ?? '';
  const attributes = message.Attributes ?? {};
  const sent = Number(attributes.SentTimestamp);
  const receives = Number(attributes.ApproximateReceiveCount);
  const base: DecodedMessage = {
    messageId: message.MessageId ?? '',
    kind: 'unknown',
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent).toISOString() } : {}),
    ...(Number.isFinite(receives) && attributes.ApproximateReceiveCount !== undefined
      ? { receiveCount: receives }
      : {}),
    contract: 'n/a',
    bodyBytes: Buffer.byteLength(body),
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { ...base, problem: 'body is not JSON' };
  }
  if (!isObject(parsed)) return { ...base, problem: 'body is not a JSON object' };

  if (
    isObject(parsed.requestContext) &&
    (isObject(parsed.DDBStreamBatchInfo) || isObject(parsed.KinesisBatchInfo))
  ) {
    return { ...base, kind: 'stream-failure', stream: streamInfo(parsed) };
  }

  let source: string | undefined;
  let detailType: string | undefined;
  let detail: unknown;
  let kind: MessageKind;
  if (typeof parsed['detail-type'] === 'string' && typeof parsed.source === 'string' && 'detail' in parsed) {
    kind = 'event';
    source = parsed.source;
    detailType = parsed['detail-type'];
    detail = parsed.detail;
  } else {
    kind = 'message';
    source = message.MessageAttributes?.source?.StringValue;
    detailType = message.MessageAttributes?.detailType?.StringValue;
    detail = parsed;
  }
  const header = isObject(detail) ? detail : {};
  const version = num(header.version);
  const decoded: DecodedMessage = {
    ...base,
    kind,
    ...(source ? { source } : {}),
    ...(detailType ? { detailType } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(text(header.id) ? { eventId: text(header.id) } : {}),
    ...(text(header.tenantId) ? { tenantId: text(header.tenantId) } : {}),
    ...(text(header.correlationId) ? { correlationId: text(header.correlationId) } : {}),
    ...(text(header.time) ? { time: text(header.time) } : {}),
  };
  if (!source || !detailType) {
    return { ...decoded, contract: 'unknown', problem: 'does not name its source and detail-type' };
  }
  const contract = findContract(source, detailType, version);
  if (!contract) {
    return {
      ...decoded,
      contract: 'unknown',
      problem: `no contract for ${source}/${detailType} version ${version ?? '?'}`,
    };
  }
  const result = contract.schema.safeParse(detail);
  if (result.success) return { ...decoded, contract: 'valid' };
  const issues = result.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`);
  return { ...decoded, contract: 'invalid', problem: `does not match its contract: ${issues.join('; ')}` };
}

function streamInfo(record: Json): StreamBatchInfo {
  const request = (record.requestContext ?? {}) as Json;
  const response = isObject(record.responseContext) ? record.responseContext : {};
  const batch = (
    isObject(record.DDBStreamBatchInfo) ? record.DDBStreamBatchInfo : record.KinesisBatchInfo
  ) as Json;
  const info: StreamBatchInfo = {
    functionArn: text(request.functionArn),
    condition: text(request.condition),
    approximateInvokeCount: num(request.approximateInvokeCount),
    functionError: text(response.functionError),
    streamArn: text(batch.streamArn),
    shardId: text(batch.shardId),
    startSequenceNumber: text(batch.startSequenceNumber),
    endSequenceNumber: text(batch.endSequenceNumber),
    batchSize: num(batch.batchSize),
    firstRecordAt: text(batch.approximateArrivalOfFirstRecord),
    lastRecordAt: text(batch.approximateArrivalOfLastRecord),
  };
  return Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined)) as StreamBatchInfo;
}
