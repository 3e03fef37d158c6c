/**
 * A person's attempts outside the retry schedule: resend one event, recover the failed, exhausted and
 * held messages since a time, or send a test event. Each queues one attempt per message (recorded
 * with its trigger); the message keeps its webhook-id, so a receiver de-duplicating on it processes
 * it once. A disabled endpoint takes none of them (409 `endpoint_disabled`): re-enable it first.
 */
import { randomBytes } from 'node:crypto';
import { conflict, logger, notFound, validationFailed } from '@switchyard/runtime';
import type { RecoverRequest } from '../api-schemas';
import type { ApiStore } from '../adapters/api-store';
import { apiStore } from '../adapters/api-store';
import type { DeliveryStore } from '../adapters/delivery-store';
import { deliveryStore } from '../adapters/delivery-store';
import type { AttemptRequest } from '../adapters/dispatch';
import { requestAttempts } from '../adapters/dispatch';
import { config } from '../config';
import { newMessage } from '../domain/messages';
import type { Subscription, WebhookMessage } from '../domain/model';
import type { RandomBytes } from '../domain/subscriptions';
import {
  manualDeliveryProblem,
  MAX_RECOVER_PER_REQUEST,
  newTestEvent,
  recoverSinceProblem,
} from '../domain/subscriptions';
import type { Caller } from './subscriptions';
import { findSubscription } from './subscriptions';

export interface ManualAttemptDeps {
  store: Pick<ApiStore, 'getSubscription' | 'getMessage' | 'listRecoverableMessages'>;
  requestAttempts: (requests: AttemptRequest[]) => Promise<void>;
  now: () => Date;
}

export interface TestEventDeps extends ManualAttemptDeps {
  /** Where the test event and its message are stored, like fan-out's. */
  messages: Pick<DeliveryStore, 'createEventAndMessage'>;
  /** How long the test event, its message and attempt are kept. */
  retentionSeconds: number;
  randomBytes: RandomBytes;
}

/** The real store, queues and clock. */
export function manualAttemptDeps(): ManualAttemptDeps {
  return {
    store: apiStore(),
    requestAttempts: (requests) => requestAttempts(requests),
    now: () => new Date(),
  };
}

/** The real stores, queues, retention, clock and crypto's random bytes. */
export function testEventDeps(): TestEventDeps {
  return {
    ...manualAttemptDeps(),
    messages: deliveryStore(),
    retentionSeconds: config().RETENTION_DAYS * 24 * 60 * 60,
    randomBytes,
  };
}

export interface RecoverSummary {
  /** Messages sent again (one attempt each). */
  requested: number;
  /** Where the next request continues; null when nothing more is left. */
  nextCursor: string | null;
}

/** POST /subscriptions/{id}/resend/{eventId}: one more attempt of that event to this endpoint (its message). */
export async function resendMessage(
  caller: Caller,
  subscriptionId: string,
  eventId: string,
  deps: ManualAttemptDeps,
): Promise<WebhookMessage> {
  await findDeliverableSubscription(deps, caller.tenantId, subscriptionId);
  const message = await deps.store.getMessage(caller.tenantId, eventId, subscriptionId);
  if (!message) throw notFound('This event was not for this subscription');
  await deps.requestAttempts([{ tenantId: caller.tenantId, subscriptionId, eventId, trigger: 'resend' }]);
  logger.info('resend_requested', { subscriptionId, eventId, actorId: caller.actorId });
  return message;
}

/**
 * POST /subscriptions/{id}/recover: one attempt for each of the endpoint's failed, exhausted or held
 * messages created since `since`, oldest first, at most MAX_RECOVER_PER_REQUEST per request.
 */
export async function recoverMessages(
  caller: Caller,
  subscriptionId: string,
  request: RecoverRequest,
  deps: ManualAttemptDeps,
): Promise<RecoverSummary> {
  const sinceProblem = recoverSinceProblem(request.since, deps.now());
  if (sinceProblem) throw validationFailed([{ path: 'since', message: `since ${sinceProblem}` }]);
  await findDeliverableSubscription(deps, caller.tenantId, subscriptionId);
  const { messages, nextCursor } = await deps.store.listRecoverableMessages(
    caller.tenantId,
    subscriptionId,
    request.since,
    MAX_RECOVER_PER_REQUEST,
    request.cursor,
  );
  await deps.requestAttempts(
    messages.map((message) => ({
      tenantId: caller.tenantId,
      subscriptionId,
      eventId: message.eventId,
      trigger: 'recover' as const,
    })),
  );
  logger.info('recover_requested', {
    subscriptionId,
    actorId: caller.actorId,
    requested: messages.length,
    hasMore: nextCursor !== null,
  });
  return { requested: messages.length, nextCursor };
}

/**
 * POST /subscriptions/{id}/test: a `switchyard.test` event naming the subscription, stored like any
 * event copy with its one message (returned), and one attempt (trigger `test`).
 */
export async function sendTestEvent(
  caller: Caller,
  subscriptionId: string,
  deps: TestEventDeps,
): Promise<WebhookMessage> {
  const subscription = await findDeliverableSubscription(deps, caller.tenantId, subscriptionId);
  const now = deps.now();
  const event = newTestEvent(subscription, now, deps.randomBytes);
  const message = newMessage(event, subscription, now);
  const expiresAtEpoch = Math.floor(now.getTime() / 1000) + deps.retentionSeconds;
  await deps.messages.createEventAndMessage(event, message, expiresAtEpoch);
  await deps.requestAttempts([
    {
      tenantId: caller.tenantId,
      subscriptionId: subscription.subscriptionId,
      eventId: event.eventId,
      trigger: 'test',
    },
  ]);
  logger.info('test_requested', {
    subscriptionId: subscription.subscriptionId,
    eventId: event.eventId,
    actorId: caller.actorId,
  });
  return message;
}

/** The caller's subscription, if a manual attempt may go to it now: 404 when none, 409 when disabled. */
async function findDeliverableSubscription(
  deps: Pick<ManualAttemptDeps, 'store'>,
  tenantId: string,
  subscriptionId: string,
): Promise<Subscription> {
  const subscription = await findSubscription(deps.store, tenantId, subscriptionId);
  const problem = manualDeliveryProblem(subscription);
  if (problem) throw conflict(problem, { code: 'endpoint_disabled' });
  return subscription;
}
