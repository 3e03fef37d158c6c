/**
 * EventReceived → one message per subscription of the tenant whose event types match, and the
 * first attempt of each enabled one. Idempotent: the event copy and the messages are conditional
 * puts, and a redelivered event queues its first attempts again, which `deliver` turns into no-ops
 * once made. Disabled endpoints get their message too, `held` for recovery.
 *
 * A first attempt due at once to an endpoint in the default lane is made here, in this invocation
 * (`deliver` with the message fan-out made): no queue hop, no read back, no separate claim. When the
 * event copy is new, no message of the event can exist, so the message is not written before the
 * send but once, with the attempt (a redelivered event finds the copy and takes the path below).
 * Otherwise the message is created claimed for the attempt. The others (a first wait in the
 * schedule, the slow lane, a message that already existed) are queued as DeliveryRequested; so is an
 * attempt made here that failed before it was recorded, once its message is written unclaimed or
 * its claim given back.
 */
import type { EventReceived } from '@switchyard/contracts';
import { logger, resolveEventPayload } from '@switchyard/runtime';
import type { AttemptRequest } from '../adapters/dispatch';
import { requestAttempts, requestIdFor, toDeliveryRequested } from '../adapters/dispatch';
import type { DeliveryStore } from '../adapters/delivery-store';
import { deliveryStore } from '../adapters/delivery-store';
import type { EngineRuntime } from '../config';
import { engineRuntime } from '../config';
import { laneOf } from '../domain/lanes';
import { matchingSubscriptions, newMessage } from '../domain/messages';
import type { StoredEvent } from '../domain/model';
import { withJitter } from '../domain/schedule';
import type { AttemptOrder, FreshMessage } from './deliver';
import { deliver, deliverDeps } from './deliver';

export interface FanOutDeps {
  store: Pick<DeliveryStore, 'listSubscriptions' | 'saveEvent' | 'createMessage' | 'release'>;
  requestAttempts: (requests: AttemptRequest[]) => Promise<void>;
  /** Makes a first attempt now (`deliver`); absent: every first attempt is queued. */
  attemptNow?: (order: AttemptOrder, fresh: FreshMessage) => Promise<void>;
  resolvePayload: (message: EventReceived) => Promise<Record<string, unknown>>;
  runtime: Pick<EngineRuntime, 'settings' | 'retentionSeconds' | 'claimLeaseMs'>;
  now: () => Date;
  random: () => number;
}

/** The real store, queues (payloads read from ingest's bucket by claim check), settings and clock. */
export function fanOutDeps(): FanOutDeps {
  return {
    store: deliveryStore(),
    requestAttempts: (requests) => requestAttempts(requests),
    attemptNow: (order, fresh) => deliver(order, deliverDeps(), fresh),
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
  const firstSight = (await deps.store.saveEvent(event, expiresAtEpoch)) === 'created';
  const { schedule, jitter, maxQueueDelaySeconds } = deps.runtime.settings;
  const firstWait = Math.min(maxQueueDelaySeconds, withJitter(schedule[0] ?? 0, jitter, deps.random));
  const leaseUntil = new Date(now.getTime() + deps.runtime.claimLeaseMs);
  const planned = matched.map((subscription) => {
    const webhookMessage = newMessage(event, subscription, now);
    const request: AttemptRequest = {
      tenantId,
      eventId,
      subscriptionId: subscription.subscriptionId,
      trigger: 'scheduled',
      attempt: 1,
      delaySeconds: firstWait,
      correlationId: message.correlationId,
      lane: laneOf(subscription, now),
    };
    const order = { ...toDeliveryRequested(request, now), id: requestIdFor(request) };
    const attemptHere =
      deps.attemptNow !== undefined &&
      webhookMessage.status === 'pending' &&
      request.lane === 'default' &&
      Math.ceil(firstWait) === 0;
    // Written with its first attempt's record, after the send.
    const writtenAfterSend = attemptHere && firstSight;
    return { subscription, message: webhookMessage, request, order, attemptHere, writtenAfterSend };
  });
  const created = await Promise.all(
    planned.map((p) =>
      p.writtenAfterSend
        ? ('unwritten' as const)
        : deps.store.createMessage(
            p.message,
            expiresAtEpoch,
            p.attemptHere ? { requestId: p.order.id, until: leaseUntil } : undefined,
          ),
    ),
  );
  // A message that already existed (a redelivered event) may be mid-attempt elsewhere: queue it.
  const inline = planned.filter((p, i) => p.attemptHere && created[i] !== 'exists');
  const queued = planned.filter((p) => p.message.status === 'pending' && !inline.includes(p));
  await deps.requestAttempts(queued.map((p) => p.request));

  const failed: typeof inline = [];
  await Promise.all(
    inline.map(async (p) => {
      try {
        await deps.attemptNow!(p.order, {
          event,
          message: p.message,
          subscription: p.subscription,
          written: !p.writtenAfterSend,
        });
      } catch (error) {
        failed.push(p);
        logger.warn('attempt_now_failed', {
          tenantId,
          eventId,
          subscriptionId: p.subscription.subscriptionId,
          correlationId: message.correlationId,
          reason: error instanceof Error ? error.name : 'unknown',
        });
      }
    }),
  );
  if (failed.length > 0) {
    // Nothing of these attempts runs any more. Write the messages not written yet (unclaimed; one
    // recorded before the failure stays as it is), and give the claims back, so the queued requests
    // need not wait out the lease (a claim released by a recorded attempt stays as it is).
    await Promise.all(
      failed.map((p) =>
        p.writtenAfterSend
          ? deps.store.createMessage(p.message, expiresAtEpoch)
          : deps.store.release(p.message, p.order.id),
      ),
    );
    await deps.requestAttempts(failed.map((p) => p.request));
  }
  logger.info('event_fanned_out', {
    tenantId,
    eventId,
    eventType,
    correlationId: message.correlationId,
    messages: planned.length,
    created: created.filter((c) => c !== 'exists').length,
    held: planned.filter((p) => p.message.status !== 'pending').length,
    attemptedNow: inline.length - failed.length,
  });
}
