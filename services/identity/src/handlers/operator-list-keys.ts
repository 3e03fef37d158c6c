import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { listKeysQuery } from '../api-schemas';
import { listApiKeys } from '../app/api-keys';
import { identityDeps } from '../app/deps';
import { requireOperatorOnTenant } from '../app/operator-access';

/**
 * GET /operator/tenants/{tenantId}/keys (IAM-authorised): any tenant's keys, the same query and answer
 * as `GET /keys` (newest first, signed cursor bound to the tenant, never the secret or its hash).
 */
export const handler = createHttpHandler({
  path: z.object({ tenantId: z.string() }),
  query: listKeysQuery,
  handler: async ({ path, query, event }) => {
    const deps = identityDeps();
    const { scope } = await requireOperatorOnTenant(deps, event, path.tenantId);
    return jsonResponse(200, await listApiKeys(deps, scope.tenantId, query));
  },
});
