/**
 * Deduplication of published events by idempotency key: a record per (tenant, key) written with a
 * conditional Put in the same transaction as the event, so concurrent retries cannot both create an
 * event (a per-instance cache would deduplicate nothing across instances).
 *
 * The record lives 24 hours (`expiresAt`, epoch seconds, is the table's TTL attribute). TTL deletion
 * is lazy (typically within a few days), so a record past its window but still present must count as
 * absent: the write condition says so, and `decideOnConflict` does too.
 */
import { createHash } from 'node:crypto';
import type { AcceptedEventBody, IngestedEvent } from './events';
import { acceptedBody } from './events';
import type { WriteCondition } from './write-condition';

export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;

/** What is stored per (tenant, idempotency key): enough to answer a duplicate without the event. */
export interface IdempotencyRecord {
  /** `idem#<sha256 hex of [tenantId, key]>`: fixed length whatever the key, unambiguous. */
  pk: string;
  tenantId: string;
  eventId: string;
  receivedAt: string;
  eventType: string;
  source: string;
  /** TTL attribute: epoch seconds when the window closes. */
  expiresAt: number;
  /** SHA-256 of the event's type, source and payload, so a key reused for other content can be logged. */
  fingerprint: string;
}

/** Partition key of the dedup record. Hashing bounds its length (keys may be 255 characters). */
export function idempotencyRecordKey(tenantId: string, idempotencyKey: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([tenantId, idempotencyKey]), 'utf8')
    .digest('hex');
  return `idem#${digest}`;
}

/** Same event content → same fingerprint (key order of the payload is significant, as sent). */
export function eventFingerprint(event: Pick<IngestedEvent, 'eventType' | 'source' | 'payload'>): string {
  return createHash('sha256')
    .update(JSON.stringify([event.eventType, event.source, event.payload]), 'utf8')
    .digest('hex');
}

export function windowExpiry(receivedAt: Date): number {
  return Math.floor(receivedAt.getTime() / 1000) + IDEMPOTENCY_WINDOW_SECONDS;
}

/** The record to Put for a new event with a key; `undefined` when the event has no key (no dedup). */
export function newIdempotencyRecord(event: IngestedEvent): IdempotencyRecord | undefined {
  if (event.idempotencyKey === undefined) return undefined;
  return {
    pk: idempotencyRecordKey(event.tenantId, event.idempotencyKey),
    tenantId: event.tenantId,
    eventId: event.eventId,
    receivedAt: event.receivedAt,
    eventType: event.eventType,
    source: event.source,
    expiresAt: windowExpiry(new Date(event.receivedAt)),
    fingerprint: eventFingerprint(event),
  };
}

/**
 * The condition of the dedup Put: no record, or one whose window has closed (TTL not yet run).
 * Attribute names go through placeholders (`expiresAt` is not reserved, `pk` is not either, but the
 * rule is "always"). Adapters pass `ReturnValuesOnConditionCheckFailure: ALL_OLD`.
 */
export function idempotencyPutCondition(now: Date): WriteCondition {
  return {
    ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt <= :now',
    ExpressionAttributeNames: { '#pk': 'pk', '#expiresAt': 'expiresAt' },
    ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
  };
}

/** True when the record still deduplicates at `now`: inside 24 h of receipt, whatever TTL did. */
export function isWithinWindow(
  record: Pick<IdempotencyRecord, 'receivedAt' | 'expiresAt'>,
  now: Date,
): boolean {
  const received = Date.parse(record.receivedAt);
  const byReceipt = Number.isNaN(received) ? -Infinity : received + IDEMPOTENCY_WINDOW_SECONDS * 1000;
  const byTtl = record.expiresAt * 1000;
  // Both must agree that the window is open; an inconsistent record never blocks a new event forever.
  return now.getTime() < Math.min(byReceipt, byTtl);
}

export type ConflictDecision =
  /** A live record: answer 202 with the original event and `duplicate: true`; write nothing. */
  | { outcome: 'duplicate'; body: AcceptedEventBody; sameContent: boolean }
  /**
   * The record is stale (past 24 h, TTL not yet run): the event is new. Retry the write conditioned on
   * the stale record still being there (`#eventId = :staleEventId`), so two retries cannot both win.
   */
  | { outcome: 'new'; staleEventId: string }
  /** The condition failed but no record came back (deleted in between): retry the same write. */
  | { outcome: 'retry' };

/**
 * What to answer when the conditional Put of the dedup record failed, given the record DynamoDB
 * returned (ALL_OLD) and the event being published. A record of another tenant under the same key
 * is impossible unless the data is corrupt: that is a bug and throws (a 500, never a silent 202).
 */
export function decideOnConflict(
  existing: IdempotencyRecord | undefined,
  attempted: Pick<IngestedEvent, 'tenantId' | 'eventType' | 'source' | 'payload'>,
  now: Date,
): ConflictDecision {
  if (!existing) return { outcome: 'retry' };
  if (existing.tenantId !== attempted.tenantId) {
    throw new Error(`idempotency record ${existing.pk} belongs to another tenant`);
  }
  if (!isWithinWindow(existing, now)) return { outcome: 'new', staleEventId: existing.eventId };
  return {
    outcome: 'duplicate',
    body: acceptedBody(existing, true),
    sameContent: existing.fingerprint === eventFingerprint(attempted),
  };
}

/** Condition for overwriting a stale record (after `decideOnConflict` said `new`). */
export function staleOverwriteCondition(staleEventId: string): WriteCondition {
  return {
    ConditionExpression: '#eventId = :staleEventId',
    ExpressionAttributeNames: { '#eventId': 'eventId' },
    ExpressionAttributeValues: { ':staleEventId': staleEventId },
  };
}
