import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import type { InboxPage } from '../api-schemas';
import { inboxQuerySchema } from '../api-schemas';
import { listInbox } from '../app/inbox';
import { authenticate } from '../adapters/caller';
import { toEventView } from '../domain/inbox';

/** GET /inbox: the caller's tenant's undelivered events, oldest first, optionally leasing them. */
export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:read'),
  query: inboxQuerySchema,
  handler: async ({ caller, query }) => {
    const page = await listInbox(caller, {
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.lease_seconds === undefined ? {} : { leaseSeconds: query.lease_seconds }),
    });
    const now = new Date();
    const body: InboxPage = {
      events: page.events.map((event) => toEventView(event, now)),
      next_cursor: page.nextCursor,
      has_more: page.hasMore,
    };
    return jsonResponse(200, body);
  },
});
