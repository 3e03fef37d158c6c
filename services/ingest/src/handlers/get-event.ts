import { createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { eventIdPathSchema } from '../api-schemas';
import { authenticate } from '../adapters/caller';
import { inboxStore } from '../adapters/inbox-store';
import { toEventView, visibleToTenant } from '../domain/inbox';

/** GET /events/{id}: one of the caller's tenant's events; another tenant's is a 404 like a missing one. */
export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:read'),
  path: eventIdPathSchema,
  handler: async ({ caller, path }) => {
    const event = visibleToTenant(await inboxStore().getEvent(caller.tenantId, path.id), caller.tenantId);
    if (!event) throw notFound('No such event');
    return jsonResponse(200, toEventView(event, new Date(), { leaseToken: false }));
  },
});
