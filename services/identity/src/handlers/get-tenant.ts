import { createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { z } from 'zod';
import { requireOperator } from '../adapters/caller';
import { identityStore } from '../adapters/identity-store';
import { config } from '../config';
import { isId } from '../domain/random';

/** GET /operator/tenants/{tenantId} (IAM-authorised). */
export const handler = createHttpHandler({
  path: z.object({ tenantId: z.string() }),
  handler: async ({ path, event }) => {
    requireOperator(event);
    // A string that is not a tenant id cannot name a tenant: 404 without a lookup.
    const tenant = isId('tenant', path.tenantId)
      ? await identityStore(config().TABLE_NAME).getTenant(path.tenantId)
      : undefined;
    if (!tenant) throw notFound('No such tenant.');
    return jsonResponse(200, { tenant });
  },
});
