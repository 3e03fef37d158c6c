/**
 * Messages: one event for one subscription, the unit that is retried and that `webhook-id` names.
 * Pure: no AWS, the clock passed in.
 */
import { createHash } from 'node:crypto';
import type { MessageStatus, StoredEvent, Subscription, WebhookMessage } from './model';
import { subscribesTo } from './subscriptions';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** Crockford base32 of `bytes`, most significant bit first, without padding. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += CROCKFORD[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * `msg_` + 26 characters derived from (tenant, event, subscription): the same for every attempt,
 * resend and recovery of one event to one endpoint, and different for every other pair, so a
 * receiver de-duplicating by `webhook-id` processes each message once. Derived, not stored-first,
 * so a redelivered EventReceived finds the same id without reading anything.
 */
export function webhookIdFor(tenantId: string, eventId: string, subscriptionId: string): string {
  const digest = createHash('sha256').update(`${tenantId}\n${eventId}\n${subscriptionId}`).digest();
  return `msg_${base32(digest.subarray(0, 16))}`;
}

/** The tenant's subscriptions an event of `eventType` goes to (enabled or not: see newMessage). */
export function matchingSubscriptions<S extends Pick<Subscription, 'eventTypes'>>(
  subscriptions: readonly S[],
  eventType: string,
): S[] {
  return subscriptions.filter((subscription) => subscribesTo(subscription.eventTypes, eventType));
}

/**
 * The message for `event` to `subscription`, as fan-out creates it: `pending` when the endpoint
 * is enabled, `held` when it is disabled (kept for recovery, never dropped).
 */
export function newMessage(
  event: Pick<StoredEvent, 'tenantId' | 'eventId' | 'eventType'>,
  subscription: Pick<Subscription, 'subscriptionId' | 'enabled'>,
  now: Date,
): WebhookMessage {
  const at = now.toISOString();
  const status: MessageStatus = subscription.enabled ? 'pending' : 'held';
  return {
    tenantId: event.tenantId,
    eventId: event.eventId,
    subscriptionId: subscription.subscriptionId,
    webhookId: webhookIdFor(event.tenantId, event.eventId, subscription.subscriptionId),
    eventType: event.eventType,
    status,
    attempts: 0,
    scheduledAttempts: 0,
    ...(status === 'pending' ? { nextAttemptAt: at } : {}),
    createdAt: at,
    updatedAt: at,
  };
}
