import { conflict, createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import type { RequestedAttemptResponse } from '../api-schemas';
import { resendPathSchema } from '../api-schemas';
import { apiStore } from '../adapters/api-store';
import { authenticateAdmin } from '../adapters/caller';
import { requestAttempt } from '../adapters/dispatch';
import { manualDeliveryProblem, visibleToTenant } from '../domain/subscriptions';

/**
 * POST /subscriptions/{id}/resend/{eventId}: one more attempt of that event to this endpoint,
 * recorded with trigger `resend`; the message keeps its webhook-id (receivers de-duplicate on it).
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: resendPathSchema,
  handler: async ({ caller, path, logger }) => {
    const store = apiStore();
    const subscription = visibleToTenant(
      await store.getSubscription(caller.tenantId, path.id),
      caller.tenantId,
    );
    if (!subscription) throw notFound('No such subscription');
    const problem = manualDeliveryProblem(subscription);
    if (problem) throw conflict(problem, { code: 'endpoint_disabled' });
    const message = await store.getMessage(caller.tenantId, path.eventId, path.id);
    if (!message) throw notFound('This event was not for this subscription');
    await requestAttempt({
      tenantId: caller.tenantId,
      subscriptionId: path.id,
      eventId: path.eventId,
      trigger: 'resend',
    });
    logger.info('resend_requested', {
      subscriptionId: path.id,
      eventId: path.eventId,
      actorId: caller.actorId,
    });
    const body: RequestedAttemptResponse = {
      subscription_id: path.id,
      event_id: path.eventId,
      webhook_id: message.webhookId,
      status: 'requested',
    };
    return jsonResponse(202, body);
  },
});
