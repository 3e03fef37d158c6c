import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import type { RequestedAttemptResponse } from '../api-schemas';
import { subscriptionIdPathSchema } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { sendTestEvent, testEventDeps } from '../app/manual-attempts';
import { toRequestedAttemptView } from '../domain/subscriptions';

/**
 * POST /subscriptions/{id}/test: a `switchyard.test` event naming the subscription, stored like any
 * event copy with its one message, and one attempt (trigger `test`). Its result shows in
 * GET /subscriptions/{id}/attempts and GET /events/{event_id}/deliveries.
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  handler: async ({ caller, path }) => {
    const message = await sendTestEvent(caller, path.id, testEventDeps());
    const body: RequestedAttemptResponse = toRequestedAttemptView(message);
    return jsonResponse(202, body);
  },
});
