import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import type { SubscriptionPage } from '../api-schemas';
import { pageQuerySchema } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { listSubscriptions, subscriptionDeps } from '../app/subscriptions';
import { toSubscriptionView } from '../domain/subscriptions';

/** GET /subscriptions: the caller's tenant's subscriptions, oldest first, without secrets. */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  query: pageQuerySchema,
  handler: async ({ caller, query }) => {
    const page = await listSubscriptions(caller, query, subscriptionDeps());
    const body: SubscriptionPage = {
      subscriptions: page.items.map(toSubscriptionView),
      next_cursor: page.nextCursor,
      has_more: page.hasMore,
    };
    return jsonResponse(200, body);
  },
});
