import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { subscriptionIdPathSchema } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { deleteSubscription, subscriptionDeps } from '../app/subscriptions';

/**
 * DELETE /subscriptions/{id}: nothing more is delivered to it. Messages still waiting are cancelled
 * by the engine when their turn comes (it finds the subscription gone); attempts stay visible.
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  handler: async ({ caller, path }) => {
    await deleteSubscription(caller, path.id, subscriptionDeps());
    return jsonResponse(204);
  },
});
