import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { eventIdPathSchema } from '../api-schemas';
import { readEvent } from '../app/inbox';
import { authenticate } from '../adapters/caller';
import { toEventView } from '../domain/inbox';

/** GET /events/{id}: one of the caller's tenant's events; another tenant's is a 404 like a missing one. */
export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:read'),
  path: eventIdPathSchema,
  handler: async ({ caller, path }) => {
    const event = await readEvent(caller, path.id);
    return jsonResponse(200, toEventView(event, new Date(), { leaseToken: false }));
  },
});
