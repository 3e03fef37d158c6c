import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { subscriptionIdPathSchema } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { getSubscription, subscriptionDeps } from '../app/subscriptions';
import { toSubscriptionView } from '../domain/subscriptions';

/** GET /subscriptions/{id}: one of the tenant's subscriptions (another tenant's is a 404 like none). */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  handler: async ({ caller, path }) => {
    const subscription = await getSubscription(caller, path.id, subscriptionDeps());
    return jsonResponse(200, toSubscriptionView(subscription));
  },
});
