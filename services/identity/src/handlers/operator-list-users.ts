import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { listKeysQuery } from '../api-schemas';
import { userDeps } from '../app/deps';
import { requireOperatorOnTenant } from '../app/operator-access';
import { listUsers } from '../app/users';

/** GET /operator/tenants/{tenantId}/users (IAM-authorised): any tenant's people, as `GET /users`. */
export const handler = createHttpHandler({
  path: z.object({ tenantId: z.string() }),
  query: listKeysQuery,
  handler: async ({ path, query, event }) => {
    const deps = userDeps();
    const { scope } = await requireOperatorOnTenant(deps, event, path.tenantId);
    return jsonResponse(200, await listUsers(deps, scope.tenantId, query));
  },
});
