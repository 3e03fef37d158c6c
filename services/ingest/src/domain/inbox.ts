/**
 * The pull API: GET /inbox lists a tenant's undelivered events oldest first, with signed
 * cursors and optional leases; DELETE /events/{id} acknowledges (idempotent); a lease can be
 * released early. Pure rules only: the adapter queries a sparse index of undelivered events
 * (partition = tenant, sort = `receivedAt#eventId`), passes what it read here, and writes what
 * these functions return with conditions.
 *
 * Leases (like Zapier's inbox): listing with `lease_seconds` hides each returned event from other
 * listings until the lease expires, unless it is acknowledged (gone for good) or released (visible
 * again at once). A lease carries a token; only its holder may release it, so a consumer whose lease
 * ran out cannot release someone else's.
 */
import { z } from 'zod';
import type { EventAttributes, IngestedEvent } from './events';
import type { WriteCondition } from './write-condition';

export const DEFAULT_INBOX_LIMIT = 50;
export const MAX_INBOX_LIMIT = 200;
/** Longest lease: 12 hours, like SQS's visibility timeout. */
export const MAX_LEASE_SECONDS = 12 * 60 * 60;

/** Query of GET /inbox (strings from the query string, coerced). */
export const inboxQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(MAX_INBOX_LIMIT).default(DEFAULT_INBOX_LIMIT),
  cursor: z.string().min(1).max(4096).optional(),
  lease_seconds: z.coerce.number().int().min(1).max(MAX_LEASE_SECONDS).optional(),
});
export type InboxQuery = z.infer<typeof inboxQuerySchema>;

/** Delivery state kept on the stored event beside `IngestedEvent`. */
export interface DeliveryState {
  /** Set by the first acknowledgement; the event then leaves the undelivered index for good. */
  acknowledgedAt?: string;
  /** Epoch milliseconds until which the event is leased (hidden from listings). */
  leaseUntil?: number;
  leaseToken?: string;
}

export type InboxEvent = IngestedEvent & DeliveryState;

/** The sort key of the undelivered index: ISO times sort as strings, the id breaks ties. */
export function inboxSortKey(event: Pick<IngestedEvent, 'receivedAt' | 'eventId'>): string {
  return `${event.receivedAt}#${event.eventId}`;
}

export function isVisible(event: DeliveryState, now: Date): boolean {
  if (event.acknowledgedAt !== undefined) return false;
  return event.leaseUntil === undefined || event.leaseUntil <= now.getTime();
}

/**
 * What goes inside the signed cursor (runtime `encodeCursor`, scope `inboxCursorScope(tenantId)`):
 * the position after which the next page starts, i.e. the sort key of the last event examined.
 * Signed, not encrypted: it holds only an id and a time, both already shown to the caller.
 */
export const inboxCursorSchema = z.strictObject({
  v: z.literal(1),
  after: z.strictObject({
    receivedAt: z.iso.datetime({ offset: true }),
    eventId: z.string().min(1).max(128),
  }),
});
export type InboxCursor = z.infer<typeof inboxCursorSchema>;

/** The cursor's MAC covers tenant and query, so a cursor cannot be replayed by another tenant. */
export function inboxCursorScope(tenantId: string): string {
  return `${tenantId}:inbox`;
}

/** A decoded (already signature-checked) cursor payload, or null when its shape is not ours: a 400. */
export function parseInboxCursor(payload: unknown): InboxCursor | null {
  const parsed = inboxCursorSchema.safeParse(payload);
  return parsed.success ? parsed.data : null;
}

export interface InboxPagePlan {
  /** Events to return (and to lease, when leasing), oldest first, at most `limit`. */
  events: InboxEvent[];
  /** Where the next page starts; absent when the index holds nothing after this page. */
  nextCursor?: InboxCursor;
  hasMore: boolean;
}

/**
 * Picks a page from events the adapter read in index order after the cursor. The adapter reads
 * `limit + 1` candidates or more (leased events are filtered here, so it keeps reading while fewer
 * than `limit` are visible and the index has more; `indexExhausted` says it reached the end).
 * `hasMore` is true when the index may hold more events after this page (leased ones included: they
 * come back on a later listing from the start once their lease ends).
 */
export function planInboxPage(
  candidates: readonly InboxEvent[],
  options: { limit: number; now: Date; indexExhausted: boolean },
): InboxPagePlan {
  const sorted = [...candidates].sort((a, b) => (inboxSortKey(a) < inboxSortKey(b) ? -1 : 1));
  const events: InboxEvent[] = [];
  let lastExamined: InboxEvent | undefined;
  let index = 0;
  for (; index < sorted.length && events.length < options.limit; index++) {
    const event = sorted[index] as InboxEvent;
    lastExamined = event;
    if (isVisible(event, options.now)) events.push(event);
  }
  const hasMore = index < sorted.length || !options.indexExhausted;
  return {
    events,
    hasMore,
    ...(hasMore && lastExamined
      ? {
          nextCursor: { v: 1, after: { receivedAt: lastExamined.receivedAt, eventId: lastExamined.eventId } },
        }
      : {}),
  };
}

/** Lease applied to one listed event: the adapter writes it with `leaseCondition(now)`. */
export function leaseFor(
  now: Date,
  leaseSeconds: number,
  token: string,
): Required<Pick<DeliveryState, 'leaseUntil' | 'leaseToken'>> {
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 1 || leaseSeconds > MAX_LEASE_SECONDS) {
    throw new RangeError(`lease_seconds must be 1..${MAX_LEASE_SECONDS}`);
  }
  return { leaseUntil: now.getTime() + leaseSeconds * 1000, leaseToken: token };
}

/**
 * Condition for taking a lease: not acknowledged and not leased by someone else right now. Two
 * consumers listing at once race on it; the loser drops that event from its page.
 */
export function leaseCondition(now: Date): WriteCondition {
  return {
    ConditionExpression:
      'attribute_not_exists(#acknowledgedAt) AND (attribute_not_exists(#leaseUntil) OR #leaseUntil <= :now)',
    ExpressionAttributeNames: { '#acknowledgedAt': 'acknowledgedAt', '#leaseUntil': 'leaseUntil' },
    ExpressionAttributeValues: { ':now': now.getTime() },
  };
}

/**
 * An acknowledged event is kept this long, then the table's TTL deletes it: long enough to read it
 * back (GET /events/{id}) and to replay it from here; unacknowledged events never expire.
 */
export const ACKNOWLEDGED_EVENT_RETENTION_DAYS = 30;

export type AckDecision =
  /** First acknowledgement: write `acknowledgedAt` with `attribute_not_exists(#acknowledgedAt)`; 204. */
  | { outcome: 'acknowledge'; acknowledgedAt: string; expiresAtEpoch: number }
  /** Already acknowledged: 204 again, nothing to write (DELETE is idempotent). */
  | { outcome: 'already_acknowledged' }
  /** No such event for this tenant: 404 (another tenant's event is indistinguishable from none). */
  | { outcome: 'not_found' };

/**
 * DELETE /events/{id}. A conditional write that fails because a concurrent DELETE won is also
 * `already_acknowledged` (204): re-run this with the fresh record. An acknowledgement works whether
 * or not the caller holds the lease: the event was delivered either way.
 */
export function decideAck(event: InboxEvent | undefined, tenantId: string, now: Date): AckDecision {
  if (!event || event.tenantId !== tenantId) return { outcome: 'not_found' };
  if (event.acknowledgedAt !== undefined) return { outcome: 'already_acknowledged' };
  return {
    outcome: 'acknowledge',
    acknowledgedAt: now.toISOString(),
    expiresAtEpoch: Math.floor(now.getTime() / 1000) + ACKNOWLEDGED_EVENT_RETENTION_DAYS * 24 * 60 * 60,
  };
}

export type ReleaseDecision =
  /** Clear the lease with the condition `#leaseToken = :token`: visible again at once. */
  | { outcome: 'release' }
  /** The lease already ran out (or was released): nothing to do, 204. */
  | { outcome: 'not_leased' }
  /** Someone else holds the lease now: 409. */
  | { outcome: 'lease_mismatch' }
  | { outcome: 'already_acknowledged' }
  | { outcome: 'not_found' };

export function decideRelease(
  event: InboxEvent | undefined,
  tenantId: string,
  token: string,
  now: Date,
): ReleaseDecision {
  if (!event || event.tenantId !== tenantId) return { outcome: 'not_found' };
  if (event.acknowledgedAt !== undefined) return { outcome: 'already_acknowledged' };
  if (event.leaseUntil === undefined || event.leaseUntil <= now.getTime()) return { outcome: 'not_leased' };
  return event.leaseToken === token ? { outcome: 'release' } : { outcome: 'lease_mismatch' };
}

/** One event as GET /inbox and GET /events/{id} show it. */
export interface InboxEventView {
  event_id: string;
  event_type: string;
  source: string;
  received_at: string;
  payload: Record<string, unknown>;
  attributes?: EventAttributes;
  delivered: boolean;
  lease?: { token?: string; expires_at: string };
}

/**
 * The lease token goes only to whoever took the lease (the GET /inbox answer); anyone else of the
 * tenant sees that the event is leased and until when, so they cannot release someone else's lease.
 */
export function toEventView(
  event: InboxEvent,
  now: Date,
  options: { leaseToken: boolean } = { leaseToken: true },
): InboxEventView {
  const leased =
    event.leaseUntil !== undefined && event.leaseUntil > now.getTime() && event.leaseToken !== undefined;
  return {
    event_id: event.eventId,
    event_type: event.eventType,
    source: event.source,
    received_at: event.receivedAt,
    payload: event.payload,
    ...(Object.keys(event.attributes).length > 0 ? { attributes: event.attributes } : {}),
    delivered: event.acknowledgedAt !== undefined,
    ...(leased
      ? {
          lease: {
            ...(options.leaseToken ? { token: event.leaseToken as string } : {}),
            expires_at: new Date(event.leaseUntil as number).toISOString(),
          },
        }
      : {}),
  };
}

/** GET /events/{id}: the tenant's own event or nothing (404 for another tenant's, never 403). */
export function visibleToTenant(event: InboxEvent | undefined, tenantId: string): InboxEvent | undefined {
  return event && event.tenantId === tenantId ? event : undefined;
}
