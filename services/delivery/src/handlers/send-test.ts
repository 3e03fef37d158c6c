import { randomBytes } from 'node:crypto';
import { conflict, createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import type { RequestedAttemptResponse } from '../api-schemas';
import { subscriptionIdPathSchema } from '../api-schemas';
import { config } from '../config';
import { apiStore } from '../adapters/api-store';
import { authenticateAdmin } from '../adapters/caller';
import { deliveryStore } from '../adapters/delivery-store';
import { requestAttempt } from '../adapters/dispatch';
import { newMessage } from '../domain/messages';
import { manualDeliveryProblem, newTestEvent, visibleToTenant } from '../domain/subscriptions';

/**
 * POST /subscriptions/{id}/test: a `switchyard.test` event naming the subscription, stored like any
 * event copy with its one message, and one attempt (trigger `test`). Its result shows in
 * GET /subscriptions/{id}/attempts and GET /events/{event_id}/deliveries.
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  handler: async ({ caller, path, logger }) => {
    const subscription = visibleToTenant(
      await apiStore().getSubscription(caller.tenantId, path.id),
      caller.tenantId,
    );
    if (!subscription) throw notFound('No such subscription');
    const problem = manualDeliveryProblem(subscription);
    if (problem) throw conflict(problem, { code: 'endpoint_disabled' });

    const now = new Date();
    const event = newTestEvent(subscription, now, randomBytes);
    const message = newMessage(event, subscription, now);
    const expiresAtEpoch = Math.floor(now.getTime() / 1000) + config().RETENTION_DAYS * 24 * 60 * 60;
    await deliveryStore().createEventAndMessage(event, message, expiresAtEpoch);
    await requestAttempt({
      tenantId: caller.tenantId,
      subscriptionId: subscription.subscriptionId,
      eventId: event.eventId,
      trigger: 'test',
    });
    logger.info('test_requested', {
      subscriptionId: subscription.subscriptionId,
      eventId: event.eventId,
      actorId: caller.actorId,
    });
    const body: RequestedAttemptResponse = {
      subscription_id: subscription.subscriptionId,
      event_id: event.eventId,
      webhook_id: message.webhookId,
      status: 'requested',
    };
    return jsonResponse(202, body);
  },
});
