import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { subscriptionIdPathSchema, updateSubscriptionRequestSchema } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { subscriptionDeps, updateSubscription } from '../app/subscriptions';
import { toSubscriptionView } from '../domain/subscriptions';

/**
 * PATCH /subscriptions/{id}: url, event types, description, rate limit, enabled. One UpdateItem of
 * the attributes that change (the engine writes the health attributes of the same item);
 * re-enabling clears the disabled reason and the failure window.
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  body: updateSubscriptionRequestSchema,
  maxBodyBytes: 64 * 1024,
  handler: async ({ caller, path, body }) => {
    const updated = await updateSubscription(caller, path.id, body, subscriptionDeps());
    return jsonResponse(200, toSubscriptionView(updated));
  },
});
