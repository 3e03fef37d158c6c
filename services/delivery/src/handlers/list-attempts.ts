import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import type { AttemptPage } from '../api-schemas';
import { pageQuerySchema, subscriptionIdPathSchema } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { historyDeps, listAttempts } from '../app/delivery-history';
import { toAttemptView } from '../domain/subscriptions';

/** GET /subscriptions/{id}/attempts: the endpoint's delivery attempts, newest first. */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  query: pageQuerySchema,
  handler: async ({ caller, path, query }) => {
    const page = await listAttempts(caller, path.id, query, historyDeps());
    const body: AttemptPage = {
      attempts: page.items.map(toAttemptView),
      next_cursor: page.nextCursor,
      has_more: page.hasMore,
    };
    return jsonResponse(200, body);
  },
});
