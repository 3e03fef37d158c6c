import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { requireOperator } from '../adapters/caller';
import { identityDeps } from '../app/deps';
import { operatorLogActor } from '../app/operator-access';
import { createTenant } from '../app/tenants';
import { createTenantInputSchema } from '../domain/tenants';

/** POST /operator/tenants (IAM-authorised): a tenant, its admin user and their first admin key. */
export const handler = createHttpHandler({
  body: createTenantInputSchema,
  maxBodyBytes: 16 * 1024,
  handler: async ({ body, event, logger }) => {
    const operator = requireOperator(event);
    const created = await createTenant(identityDeps(), body);
    logger.info('tenant created', { tenantId: created.tenant.tenantId, actor: operatorLogActor(operator) });
    return jsonResponse(201, created);
  },
});
