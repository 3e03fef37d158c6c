import { createHttpHandler, jsonResponse, logger } from '@switchyard/runtime';
import { z } from 'zod';
import { requireKeyAdmin } from '../adapters/caller';
import { revokeApiKey } from '../app/api-keys';
import { identityDeps } from '../app/deps';

/**
 * DELETE /keys/{keyId} (tenant admins): revokes for good. Idempotent: revoking a revoked key is a 204
 * without a second ApiKeyRevoked. Another tenant's key is a 404, exactly like a missing one.
 */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireKeyAdmin({ headers, logger }),
  path: z.object({ keyId: z.string() }),
  handler: async ({ caller, path, logger }) => {
    const outcome = await revokeApiKey(identityDeps(), caller, path.keyId);
    logger.info('api key revoked', {
      tenantId: caller.tenantId,
      keyId: path.keyId,
      outcome,
      actor: caller.actorId,
    });
    return jsonResponse(204);
  },
});
