import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { identityStore } from '../adapters/identity-store';
import { requireOperatorActor, requireTenant } from '../app/operator-access';
import { config } from '../config';
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
    const operator = requireOperatorActor(event);
    const store = identityStore(config().TABLE_NAME);
    if (body.tenantId !== undefined) await requireTenant(store, body.tenantId);
    const owned = (await store.apiKeysByOwnerEmail(body.email)).filter(
      (key) => (body.tenantId === undefined || key.tenantId === body.tenantId) && key.status !== 'revoked',
    );
    const now = new Date();
    const revoked: string[] = [];
    for (const key of owned) {
      const outcome = await store.revokeApiKey(key.tenantId, key.keyId, { now, revokedBy: operator.actorId });
      if (outcome === 'revoked') revoked.push(key.keyId);
    }
    logger.info('api keys revoked by owner e-mail (operator)', {
      ...(body.tenantId === undefined ? {} : { tenantId: body.tenantId }),
      count: revoked.length,
      actor: { userArn: operator.userArn, accessKey: operator.accessKey },
    });
    return jsonResponse(200, { revoked });
  },
});
