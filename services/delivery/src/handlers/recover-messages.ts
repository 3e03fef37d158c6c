import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import type { RecoverResponse } from '../api-schemas';
import { recoverRequestSchema, subscriptionIdPathSchema } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { manualAttemptDeps, recoverMessages } from '../app/manual-attempts';

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
  handler: async ({ caller, path, body }) => {
    const recovered = await recoverMessages(caller, path.id, body, manualAttemptDeps());
    const response: RecoverResponse = {
      subscription_id: path.id,
      requested: recovered.requested,
      has_more: recovered.nextCursor !== null,
      next_cursor: recovered.nextCursor,
    };
    return jsonResponse(202, response);
  },
});
