import { conflict, createHttpHandler, jsonResponse, notFound, validationFailed } from '@switchyard/runtime';
import type { RecoverResponse } from '../api-schemas';
import { recoverRequestSchema, subscriptionIdPathSchema } from '../api-schemas';
import { apiStore } from '../adapters/api-store';
import { authenticateAdmin } from '../adapters/caller';
import { requestAttempts } from '../adapters/dispatch';
import {
  manualDeliveryProblem,
  MAX_RECOVER_PER_REQUEST,
  recoverSinceProblem,
  visibleToTenant,
} from '../domain/subscriptions';

/**
 * POST /subscriptions/{id}/recover {since, cursor?}: one attempt (trigger `recover`) for each of the
 * endpoint's failed, exhausted or held messages created since then, oldest first, at most
 * MAX_RECOVER_PER_REQUEST per request (`next_cursor` continues). 202 with how many were requested.
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  body: recoverRequestSchema,
  maxBodyBytes: 16 * 1024,
  handler: async ({ caller, path, body, logger }) => {
    const sinceProblem = recoverSinceProblem(body.since, new Date());
    if (sinceProblem) throw validationFailed([{ path: 'since', message: `since ${sinceProblem}` }]);
    const store = apiStore();
    const subscription = visibleToTenant(
      await store.getSubscription(caller.tenantId, path.id),
      caller.tenantId,
    );
    if (!subscription) throw notFound('No such subscription');
    const problem = manualDeliveryProblem(subscription);
    if (problem) throw conflict(problem, { code: 'endpoint_disabled' });

    const { messages, nextCursor } = await store.listRecoverableMessages(
      caller.tenantId,
      path.id,
      body.since,
      MAX_RECOVER_PER_REQUEST,
      body.cursor,
    );
    await requestAttempts(
      messages.map((message) => ({
        tenantId: caller.tenantId,
        subscriptionId: path.id,
        eventId: message.eventId,
        trigger: 'recover' as const,
      })),
    );
    logger.info('recover_requested', {
      subscriptionId: path.id,
      actorId: caller.actorId,
      requested: messages.length,
      hasMore: nextCursor !== null,
    });
    const response: RecoverResponse = {
      subscription_id: path.id,
      requested: messages.length,
      has_more: nextCursor !== null,
      next_cursor: nextCursor,
    };
    return jsonResponse(202, response);
  },
});
