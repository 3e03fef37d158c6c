/**
 * Why a queue message failed, kept where DLQ tooling can read it.
 *
 * SQS cannot carry the reason with the message: attributes are fixed at send time and a redrive to
 * the DLQ copies the message unchanged. So a consumer whose function has the environment variable
 * `CONSUMER_FAILURES_TABLE` (its own service's table, with string keys `pk`/`sk` and TTL on
 * `expiresAtEpoch`) records the last failure of each message there, keyed by the SQS message id,
 * which a redrive keeps. `npx switchyard dlq peek` finds the table through the consumer's function
 * configuration and shows the reason beside the message. Items expire a day after the longest DLQ
 * retention (14 days).
 *
 * This module is pure (no AWS client), so the CLI can share the item layout without the runtime.
 */
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';

/** The function environment variable naming the table failures are recorded in. */
export const CONSUMER_FAILURES_TABLE_VARIABLE = 'CONSUMER_FAILURES_TABLE';

/** SQS keeps a DLQ message at most 14 days; the record outlives it by a day. */
export const CONSUMER_FAILURE_TTL_SECONDS = 15 * 24 * 60 * 60;

/** Reasons are error messages; longer ones are cut (the full text is in the `consumer_failure` log line). */
export const MAX_REASON_LENGTH = 1000;

export function consumerFailureKey(messageId: string): { pk: string; sk: string } {
  return { pk: `CONSUMER_FAILURE#${messageId}`, sk: 'CONSUMER_FAILURE' };
}

/** One failure as the consumer saw it. */
export interface ConsumerFailureInput {
  messageId: string;
  kind: 'poison' | 'handler_error';
  reason: string;
  detailType?: string;
  /** The message header's id, when the message parsed. */
  eventId?: string;
  tenantId?: string;
  functionName?: string;
  eventSourceARN?: string;
  receiveCount?: number;
}

/** The stored record: the last failure, how many were recorded, and when the first one was. */
export interface ConsumerFailureRecord extends ConsumerFailureInput {
  failures: number;
  firstFailedAt: string;
  lastFailedAt: string;
  expiresAtEpoch: number;
}

/** The UpdateItem that records one more failure of a message (last reason wins, count goes up). */
export function consumerFailureUpdate(
  tableName: string,
  failure: ConsumerFailureInput,
  now: number = Date.now(),
): UpdateCommandInput {
  const at = new Date(now).toISOString();
  const fields: Record<string, unknown> = {
    messageId: failure.messageId,
    kind: failure.kind,
    reason:
      failure.reason.length > MAX_REASON_LENGTH
        ? `${failure.reason.slice(0, MAX_REASON_LENGTH - 1)}…`
        : failure.reason,
    detailType: failure.detailType,
    eventId: failure.eventId,
    tenantId: failure.tenantId,
    functionName: failure.functionName,
    eventSourceARN: failure.eventSourceARN,
    receiveCount: failure.receiveCount,
    lastFailedAt: at,
    expiresAtEpoch: Math.floor(now / 1000) + CONSUMER_FAILURE_TTL_SECONDS,
  };
  const names: Record<string, string> = { '#failures': 'failures', '#firstFailedAt': 'firstFailedAt' };
  const values: Record<string, unknown> = { ':one': 1, ':at': at };
  const sets = ['#firstFailedAt = if_not_exists(#firstFailedAt, :at)'];
  let i = 0;
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    i += 1;
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
    sets.push(`#f${i} = :f${i}`);
  }
  return {
    TableName: tableName,
    Key: consumerFailureKey(failure.messageId),
    UpdateExpression: `SET ${sets.join(', ')} ADD #failures :one`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}
