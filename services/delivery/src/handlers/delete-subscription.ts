import { createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { subscriptionIdPathSchema } from '../api-schemas';
import { apiStore } from '../adapters/api-store';
import { authenticateAdmin } from '../adapters/caller';

/**
 * DELETE /subscriptions/{id}: nothing more is delivered to it. Messages still waiting are cancelled
 * by the engine when their turn comes (it finds the subscription gone); attempts stay visible.
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  handler: async ({ caller, path, logger }) => {
    if (!(await apiStore().deleteSubscription(caller.tenantId, path.id)))
      throw notFound('No such subscription');
    logger.info('subscription_deleted', { subscriptionId: path.id, actorId: caller.actorId });
    return jsonResponse(204);
  },
});
