import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import type { InboxPage } from '../api-schemas';
import { inboxQuerySchema } from '../api-schemas';
import { authenticate } from '../adapters/caller';
import { inboxStore } from '../adapters/inbox-store';
import { toEventView } from '../domain/inbox';

/** GET /inbox: the caller's tenant's undelivered events, oldest first, optionally leasing them. */
export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:read'),
  query: inboxQuerySchema,
  handler: async ({ caller, query }) => {
    const store = inboxStore();
    const cursor = query.cursor ? await store.decodeInboxCursor(caller.tenantId, query.cursor) : undefined;
    const page = await store.listInbox(caller.tenantId, {
      limit: query.limit,
      ...(cursor ? { cursor } : {}),
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
