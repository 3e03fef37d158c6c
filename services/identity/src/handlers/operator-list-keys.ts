import { createHttpHandler, decodeCursor, encodeCursor, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { identityStore } from '../adapters/identity-store';
import { cursorScope, listKeysQuery } from '../api-schemas';
import { requireOperatorActor, requireTenant } from '../app/operator-access';
import { config } from '../config';
import { toApiKeySummary } from '../domain/api-keys';

/**
 * GET /operator/tenants/{tenantId}/keys (IAM-authorised): any tenant's keys, the same query and answer
 * as `GET /keys` (newest first, signed cursor bound to the tenant, never the secret or its hash).
 */
export const handler = createHttpHandler({
  path: z.object({ tenantId: z.string() }),
  query: listKeysQuery,
  handler: async ({ path, query, event }) => {
    requireOperatorActor(event);
    const store = identityStore(config().TABLE_NAME);
    const tenant = await requireTenant(store, path.tenantId);
    const secret = await store.cursorSecret();
    const scope = { scope: cursorScope(tenant.tenantId) };
    const page = await store.listApiKeys(tenant.tenantId, {
      limit: query.limit,
      ...(query.cursor ? { startKey: decodeCursor(query.cursor, secret, scope) } : {}),
    });
    return jsonResponse(200, {
      items: page.items.map(toApiKeySummary),
      nextCursor: page.lastKey ? encodeCursor(page.lastKey, secret, scope) : null,
    });
  },
});
