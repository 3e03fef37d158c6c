import { createHttpHandler, jsonResponse, logger } from '@switchyard/runtime';
import { z } from 'zod';
import { requireKeyAdmin } from '../adapters/caller';
import { identityStore } from '../adapters/identity-store';
import { config } from '../config';
import { emailSchema } from '../domain/tenants';

/**
 * POST /keys/revoke-by-email (tenant admins): revokes every key of the caller's tenant owned by that
 * e-mail. `revoked` lists the keys this call revoked (already revoked ones are not repeated).
 */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireKeyAdmin({ headers, logger }),
  body: z.strictObject({ email: emailSchema }),
  maxBodyBytes: 4 * 1024,
  handler: async ({ caller, body, logger }) => {
    const store = identityStore(config().TABLE_NAME);
    const owned = (await store.apiKeysByOwnerEmail(body.email)).filter(
      (key) => key.tenantId === caller.tenantId && key.status !== 'revoked',
    );
    const now = new Date();
    const revoked: string[] = [];
    for (const key of owned) {
      const outcome = await store.revokeApiKey(caller.tenantId, key.keyId, {
        now,
        revokedBy: caller.actorId,
      });
      if (outcome === 'revoked') revoked.push(key.keyId);
    }
    logger.info('api keys revoked by owner e-mail', {
      tenantId: caller.tenantId,
      count: revoked.length,
      actor: caller.actorId,
    });
    return jsonResponse(200, { revoked });
  },
});
