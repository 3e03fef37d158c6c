import { createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { subscriptionIdPathSchema } from '../api-schemas';
import { apiStore } from '../adapters/api-store';
import { authenticateAdmin } from '../adapters/caller';
import { toSubscriptionView, visibleToTenant } from '../domain/subscriptions';

/** GET /subscriptions/{id}: one of the tenant's subscriptions (another tenant's is a 404 like none). */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  handler: async ({ caller, path }) => {
    const subscription = visibleToTenant(
      await apiStore().getSubscription(caller.tenantId, path.id),
      caller.tenantId,
    );
    if (!subscription) throw notFound('No such subscription');
    return jsonResponse(200, toSubscriptionView(subscription));
  },
});
