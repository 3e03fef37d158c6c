/**
 * The delivery table's key layout, written once: both stores (./api-store.ts, ./delivery-store.ts)
 * build every key, index key and item from here and read items back through `fromItem`. One DynamoDB
 * table, `delivery-<stage>`, keys `pk`/`sk`, index `bySubscription` on `gsi1pk`/`gsi1sk`, sparse
 * index `due` on `duePk`/`dueAt`, TTL attribute `expiresAtEpoch`:
 *
 * | item           | pk                           | sk                        | index keys                                                  |
 * | -------------- | ---------------------------- | ------------------------- | ----------------------------------------------------------- |
 * | subscription   | `TENANT#<tenantId>`          | `SUB#<subscriptionId>`    |                                                             |
 * | event copy     | `EVENT#<tenantId>#<eventId>` | `EVENT`                   |                                                             |
 * | message        | `EVENT#<tenantId>#<eventId>` | `MSG#<subId>`             | `SUB#<subId>` / `MSG#<createdAt>#<eventId>`; `due` waiting  |
 * | attempt        | `EVENT#<tenantId>#<eventId>` | `MSG#<subId>#ATT#<0000n>` | `SUB#<subId>` / `ATT#<attemptedAt>#<eventId>#<0000n>`       |
 * | rate window    | `RATE#<subscriptionId>`      | `<epoch second>`          |                                                             |
 *
 * Three more item types live in the table under keys their libraries own: the key projection
 * (`KEY#<keyId>` / `KEY`, @switchyard/access), the outbox (`OUTBOX#<messageId>` / `OUTBOX`) and the
 * cursor secret (`SECRET#cursor` / `SECRET`, both @switchyard/runtime).
 *
 * Stored data depends on these strings: changing one loses what is already in the table
 * (test/unit/adapters/delivery-table.test.ts pins them).
 */
import { createHash } from 'node:crypto';
import type { DeliveryAttempt, StoredEvent, Subscription, WebhookMessage } from '../domain/model';

export const BY_SUBSCRIPTION_INDEX = 'bySubscription';
export const DUE_INDEX = 'due';

/** The `kind` attribute every item carries (the cursor secret's is set through the runtime). */
export const ITEM_KINDS = {
  subscription: 'subscription',
  event: 'event',
  message: 'message',
  attempt: 'attempt',
  cursorSecret: 'secret',
} as const;

// A type, not an interface, so a key is also a plain `Record<string, unknown>` (BatchGetItem's keys).
export type TableKey = { pk: string; sk: string };

// ---------------------------------------------------------------------------------------------------
// Keys

const padAttempt = (attempt: number) => String(attempt).padStart(5, '0');

/** The partition of a tenant's subscriptions. */
export const tenantPk = (tenantId: string) => `TENANT#${tenantId}`;
/** Every subscription's sort key starts with it (listings query by it). */
export const SUBSCRIPTION_SK_PREFIX = 'SUB#';
export const subscriptionKey = (tenantId: string, subscriptionId: string): TableKey => ({
  pk: tenantPk(tenantId),
  sk: `${SUBSCRIPTION_SK_PREFIX}${subscriptionId}`,
});

/** The partition of one of the tenant's events: its copy, its messages and their attempts. */
export const eventPk = (tenantId: string, eventId: string) => `EVENT#${tenantId}#${eventId}`;
const EVENT_SK = 'EVENT';
export const eventKey = (tenantId: string, eventId: string): TableKey => ({
  pk: eventPk(tenantId, eventId),
  sk: EVENT_SK,
});
export const messageKey = (tenantId: string, eventId: string, subscriptionId: string): TableKey => ({
  pk: eventPk(tenantId, eventId),
  sk: `MSG#${subscriptionId}`,
});
export const attemptKey = (
  tenantId: string,
  eventId: string,
  subscriptionId: string,
  attempt: number,
): TableKey => ({
  pk: eventPk(tenantId, eventId),
  sk: `MSG#${subscriptionId}#ATT#${padAttempt(attempt)}`,
});

/** What an item of an event's partition is, told by its sort key. */
export function eventPartitionItemKind(
  sk: string,
): typeof ITEM_KINDS.event | typeof ITEM_KINDS.message | typeof ITEM_KINDS.attempt | undefined {
  if (sk === EVENT_SK) return ITEM_KINDS.event;
  if (/^MSG#[^#]+#ATT#/.test(sk)) return ITEM_KINDS.attempt;
  if (/^MSG#[^#]+$/.test(sk)) return ITEM_KINDS.message;
  return undefined;
}

/** One endpoint's count of attempts in one second (TTL). */
export const rateKey = (subscriptionId: string, second: number): TableKey => ({
  pk: `RATE#${subscriptionId}`,
  sk: String(second),
});

// ---------------------------------------------------------------------------------------------------
// The bySubscription index: an endpoint's messages (recover) and attempts (listing)

export const subscriptionGsiPk = (subscriptionId: string) => `SUB#${subscriptionId}`;
export const messageGsiSk = (createdAt: string, eventId: string) => `MSG#${createdAt}#${eventId}`;
export const attemptGsiSk = (attemptedAt: string, eventId: string, attempt: number) =>
  `ATT#${attemptedAt}#${eventId}#${padAttempt(attempt)}`;
/** Every attempt's index sort key starts with it. */
export const ATTEMPT_GSI_SK_PREFIX = 'ATT#';
/** The index sort keys of the messages created at or after `sinceIso` (an ISO time). */
export const messagesCreatedSince = (sinceIso: string) => ({
  from: `MSG#${sinceIso}`,
  // '~' sorts after every character of an ISO time and an id.
  to: 'MSG#~',
});

// ---------------------------------------------------------------------------------------------------
// The due index: long waits

export const DUE_SHARDS = 10;

/** `DUE#<0-9>`: spreads the due index over partitions, by webhook id. */
export function dueShard(webhookId: string): string {
  const byte = createHash('sha256').update(webhookId).digest()[0] ?? 0;
  return `DUE#${byte % DUE_SHARDS}`;
}

/** Every shard of the due index, for the sweeper. */
export function dueShards(): string[] {
  return Array.from({ length: DUE_SHARDS }, (_, i) => `DUE#${i}`);
}

// ---------------------------------------------------------------------------------------------------
// Items

export function subscriptionItem(subscription: Subscription): Record<string, unknown> {
  return {
    ...subscription,
    ...subscriptionKey(subscription.tenantId, subscription.subscriptionId),
    kind: ITEM_KINDS.subscription,
  };
}

export function eventItem(event: StoredEvent, expiresAtEpoch: number): Record<string, unknown> {
  return { ...event, ...eventKey(event.tenantId, event.eventId), kind: ITEM_KINDS.event, expiresAtEpoch };
}

export function messageItem(message: WebhookMessage, expiresAtEpoch: number): Record<string, unknown> {
  return {
    ...message,
    ...messageKey(message.tenantId, message.eventId, message.subscriptionId),
    gsi1pk: subscriptionGsiPk(message.subscriptionId),
    gsi1sk: messageGsiSk(message.createdAt, message.eventId),
    kind: ITEM_KINDS.message,
    expiresAtEpoch,
  };
}

/** An attempt, with the request that made it (the message's claim holder). */
export function attemptItem(
  attempt: DeliveryAttempt,
  requestId: string,
  expiresAtEpoch: number,
): Record<string, unknown> {
  return {
    ...attempt,
    ...attemptKey(attempt.tenantId, attempt.eventId, attempt.subscriptionId, attempt.attempt),
    gsi1pk: subscriptionGsiPk(attempt.subscriptionId),
    gsi1sk: attemptGsiSk(attempt.attemptedAt, attempt.eventId, attempt.attempt),
    kind: ITEM_KINDS.attempt,
    requestId,
    expiresAtEpoch,
  };
}

// ---------------------------------------------------------------------------------------------------
// Reading items back

/**
 * Attributes only storage cares about: keys, index keys, TTL, the item kind and an attempt's claim
 * (lease). `dueAt` is not among them: it is the engine's record of a long wait (`MessageState`).
 */
export const STORAGE_ATTRIBUTES: readonly string[] = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'duePk',
  'expiresAtEpoch',
  'kind',
  'claimedBy',
  'claimedUntil',
];

/** An item without its storage attributes: the record the domain knows. */
export function fromItem<T>(item: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...item };
  for (const name of STORAGE_ATTRIBUTES) delete copy[name];
  return copy as T;
}
