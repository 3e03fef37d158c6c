import { createHttpHandler, jsonResponse, logger } from '@switchyard/runtime';
import { z } from 'zod';
import { requireKeyAdmin } from '../adapters/caller';
import { revokeApiKeysOwnedBy } from '../app/api-keys';
import { identityDeps } from '../app/deps';
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
    const { tenantId, actorId } = caller;
    const revoked = await revokeApiKeysOwnedBy(identityDeps(), { email: body.email, tenantId, actorId });
    logger.info('api keys revoked by owner e-mail', { tenantId, count: revoked.length, actor: actorId });
    return jsonResponse(200, { revoked });
  },
});
