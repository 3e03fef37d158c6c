import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { eventIdPathSchema, releaseLeaseRequestSchema } from '../api-schemas';
import { releaseLease } from '../app/inbox';
import { authenticate } from '../adapters/caller';

/** POST /events/{id}/release: 204 released (or no longer leased); 409 or 404 from the use case. */
export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:ack'),
  path: eventIdPathSchema,
  body: releaseLeaseRequestSchema,
  handler: async ({ caller, path, body }) => {
    await releaseLease(caller, path.id, body.lease_token);
    return jsonResponse(204);
  },
});
