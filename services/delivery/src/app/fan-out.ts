/**
 * EventReceived → one message per subscription of the tenant whose event types match, and a
 * DeliveryRequested for each enabled one. Idempotent: the event copy and the messages are
 * conditional puts, and a redelivered event queues its first attempts again, which `deliver` turns
 * into no-ops once made. Disabled endpoints get their message too, `held` for recovery.
 */
import type { EventReceived } from '@switchyard/contracts';
import { logger, resolveEventPayload } from '@switchyard/runtime';
import type { AttemptRequest } from '../adapters/dispatch';
import { requestAttempts } from '../adapters/dispatch';
import type { DeliveryStore } from '../adapters/delivery-store';
import { deliveryStore } from '../adapters/delivery-store';
import type { EngineRuntime } from '../config';
import { engineRuntime } from '../config';
import { laneOf } from '../domain/lanes';
import { matchingSubscriptions, newMessage } from '../domain/messages';
import type { StoredEvent } from '../domain/model';
import { withJitter } from '../domain/schedule';

export interface FanOutDeps {
  store: Pick<DeliveryStore, 'listSubscriptions' | 'saveEvent' | 'createMessage'>;
  requestAttempts: (requests: AttemptRequest[]) => Promise<void>;
  resolvePayload: (message: EventReceived) => Promise<Record<string, unknown>>;
  runtime: Pick<EngineRuntime, 'settings' | 'retentionSeconds'>;
  now: () => Date;
  random: () => number;
}

/** The real store, queues (payloads read from ingest's bucket by claim check), settings and clock. */
export function fanOutDeps(): FanOutDeps {
  return {
    store: deliveryStore(),
    requestAttempts: (requests) => requestAttempts(requests),
    resolvePayload: (m) => resolveEventPayload(m),
    runtime: engineRuntime(),
    now: () => new Date(),
    random: Math.random,
  };
}

export async function fanOut(message: EventReceived, deps: FanOutDeps): Promise<void> {
  const { tenantId, eventId, eventType } = message;
  const subscriptions = await deps.store.listSubscriptions(tenantId);
  const matched = matchingSubscriptions(subscriptions, eventType);
  if (matched.length === 0) {
    logger.debug('event_not_subscribed', { tenantId, eventId, eventType });
    return;
  }
  const payload = await deps.resolvePayload(message);
  const event: StoredEvent = {
    tenantId,
    eventId,
    eventType,
    source: message.source,
    receivedAt: message.receivedAt,
    data: JSON.stringify(payload),
  };
  const now = deps.now();
  const expiresAtEpoch = Math.floor(now.getTime() / 1000) + deps.runtime.retentionSeconds;
  await deps.store.saveEvent(event, expiresAtEpoch);
  const messages = matched.map((subscription) => newMessage(event, subscription, now));
  const created = await Promise.all(messages.map((m) => deps.store.createMessage(m, expiresAtEpoch)));

  const { schedule, jitter, maxQueueDelaySeconds } = deps.runtime.settings;
  const firstWait = Math.min(maxQueueDelaySeconds, withJitter(schedule[0] ?? 0, jitter, deps.random));
  const requests: AttemptRequest[] = messages
    .filter((m) => m.status === 'pending')
    .map((m) => ({
      tenantId,
      eventId,
      subscriptionId: m.subscriptionId,
      trigger: 'scheduled',
      attempt: 1,
      delaySeconds: firstWait,
      correlationId: message.correlationId,
      lane: laneOf(
        matched.find((s) => s.subscriptionId === m.subscriptionId),
        now,
      ),
    }));
  await deps.requestAttempts(requests);
  logger.info('event_fanned_out', {
    tenantId,
    eventId,
    eventType,
    correlationId: message.correlationId,
    messages: messages.length,
    created: created.filter((c) => c === 'created').length,
    held: messages.length - requests.length,
  });
}
