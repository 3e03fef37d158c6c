import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { requireOperator } from '../adapters/caller';
import { identityDeps } from '../app/deps';
import { requireTenant } from '../app/tenants';

/** GET /operator/tenants/{tenantId} (IAM-authorised). */
export const handler = createHttpHandler({
  path: z.object({ tenantId: z.string() }),
  handler: async ({ path, event }) => {
    requireOperator(event);
    return jsonResponse(200, { tenant: await requireTenant(identityDeps(), path.tenantId) });
  },
});
