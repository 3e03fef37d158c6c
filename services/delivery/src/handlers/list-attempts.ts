import { createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import type { AttemptPage } from '../api-schemas';
import { pageQuerySchema, subscriptionIdPathSchema } from '../api-schemas';
import { apiStore } from '../adapters/api-store';
import { authenticateAdmin } from '../adapters/caller';
import { toAttemptView, visibleToTenant } from '../domain/subscriptions';

/** GET /subscriptions/{id}/attempts: the endpoint's delivery attempts, newest first. */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  query: pageQuerySchema,
  handler: async ({ caller, path, query }) => {
    const store = apiStore();
    if (!visibleToTenant(await store.getSubscription(caller.tenantId, path.id), caller.tenantId)) {
      throw notFound('No such subscription');
    }
    const page = await store.listAttempts(caller.tenantId, path.id, {
      limit: query.limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
    });
    const body: AttemptPage = {
      attempts: page.items.map(toAttemptView),
      next_cursor: page.nextCursor,
      has_more: page.hasMore,
    };
    return jsonResponse(200, body);
  },
});
