import { randomBytes } from 'node:crypto';
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { requireOperator } from '../adapters/caller';
import { identityStore } from '../adapters/identity-store';
import { config } from '../config';
import { environmentForStage, toApiKeySummary } from '../domain/api-keys';
import { createTenant, createTenantInputSchema } from '../domain/tenants';

/** POST /operator/tenants (IAM-authorised): a tenant, its admin user and their first admin key. */
export const handler = createHttpHandler({
  body: createTenantInputSchema,
  maxBodyBytes: 16 * 1024,
  handler: async ({ body, event, logger }) => {
    const operator = requireOperator(event);
    const { TABLE_NAME, STAGE } = config();
    const created = createTenant(body, {
      now: new Date(),
      random: randomBytes,
      environment: environmentForStage(STAGE),
    });
    await identityStore(TABLE_NAME).createTenant(created);
    logger.info('tenant created', {
      tenantId: created.tenant.tenantId,
      actor: { userArn: operator.userArn, accessKey: operator.accessKey },
    });
    return jsonResponse(201, {
      tenant: created.tenant,
      adminUser: created.adminUser,
      // The plaintext key is in this response and nowhere else: it is not stored or logged.
      apiKey: { ...toApiKeySummary(created.apiKey.record), key: created.apiKey.plaintext },
    });
  },
});
