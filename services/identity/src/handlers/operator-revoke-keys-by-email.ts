import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { revokeApiKeysOwnedBy } from '../app/api-keys';
import { identityDeps } from '../app/deps';
import { operatorLogActor, requireOperatorActor } from '../app/operator-access';
import { requireTenant } from '../app/tenants';
import { emailSchema } from '../domain/tenants';

/**
 * POST /operator/keys/revoke-by-email (IAM-authorised): revokes every key owned by an e-mail in every
 * tenant (gsi2 `KEYOWNER#<email>`), or only in `tenantId` (404 when that tenant does not exist).
 * `revoked` lists the keys this call revoked (already revoked ones are not repeated).
 */
export const handler = createHttpHandler({
  body: z.strictObject({ email: emailSchema, tenantId: z.string().optional() }),
  maxBodyBytes: 4 * 1024,
  handler: async ({ body, event, logger }) => {
    const deps = identityDeps();
    const { tenantId, email } = body;
    const operator = requireOperatorActor(event);
    if (tenantId !== undefined) await requireTenant(deps, tenantId, { consistent: true });
    const revoked = await revokeApiKeysOwnedBy(deps, { email, tenantId, actorId: operator.actorId });
    logger.info('api keys revoked by owner e-mail (operator)', {
      ...(tenantId === undefined ? {} : { tenantId }),
      count: revoked.length,
      actor: operatorLogActor(operator),
    });
    return jsonResponse(200, { revoked });
  },
});
