import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import type { RequestedAttemptResponse } from '../api-schemas';
import { resendPathSchema } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { manualAttemptDeps, resendMessage } from '../app/manual-attempts';
import { toRequestedAttemptView } from '../domain/subscriptions';

/**
 * POST /subscriptions/{id}/resend/{eventId}: one more attempt of that event to this endpoint,
 * recorded with trigger `resend`; the message keeps its webhook-id (receivers de-duplicate on it).
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: resendPathSchema,
  handler: async ({ caller, path }) => {
    const message = await resendMessage(caller, path.id, path.eventId, manualAttemptDeps());
    const body: RequestedAttemptResponse = toRequestedAttemptView(message);
    return jsonResponse(202, body);
  },
});
