import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { eventIdPathSchema } from '../api-schemas';
import { acknowledgeEvent } from '../app/inbox';
import { authenticate } from '../adapters/caller';

/** DELETE /events/{id}: 204 acknowledged (now or before); 404 for an event this tenant does not have. */
export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:ack'),
  path: eventIdPathSchema,
  handler: async ({ caller, path }) => {
    await acknowledgeEvent(caller, path.id);
    return jsonResponse(204);
  },
});
