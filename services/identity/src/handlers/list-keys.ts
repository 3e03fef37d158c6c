import { createHttpHandler, decodeCursor, encodeCursor, jsonResponse, logger } from '@switchyard/runtime';
import { requireKeyAdmin } from '../adapters/caller';
import { identityStore } from '../adapters/identity-store';
import { cursorScope, listKeysQuery } from '../api-schemas';
import { config } from '../config';
import { toApiKeySummary } from '../domain/api-keys';

/** GET /keys (tenant admins): the caller's tenant's keys, newest first, never the secret or its hash. */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireKeyAdmin({ headers, logger }),
  query: listKeysQuery,
  handler: async ({ caller, query }) => {
    const store = identityStore(config().TABLE_NAME);
    const secret = await store.cursorSecret();
    const scope = { scope: cursorScope(caller.tenantId) };
    const page = await store.listApiKeys(caller.tenantId, {
      limit: query.limit,
      ...(query.cursor ? { startKey: decodeCursor(query.cursor, secret, scope) } : {}),
    });
    return jsonResponse(200, {
      items: page.items.map(toApiKeySummary),
      nextCursor: page.lastKey ? encodeCursor(page.lastKey, secret, scope) : null,
    });
  },
});
