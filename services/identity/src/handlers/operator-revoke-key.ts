import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { revokeAnyApiKey } from '../app/api-keys';
import { identityDeps } from '../app/deps';
import { operatorLogActor, requireOperatorActor } from '../app/operator-access';

/**
 * DELETE /operator/keys/{keyId} (IAM-authorised): revokes any tenant's key for good, through the same
 * use case as `DELETE /keys/{keyId}`. Idempotent: a revoked key is a 204 without a second
 * ApiKeyRevoked. An unknown key is a 404.
 */
export const handler = createHttpHandler({
  path: z.object({ keyId: z.string() }),
  handler: async ({ path, event, logger }) => {
    const operator = requireOperatorActor(event);
    const revoked = await revokeAnyApiKey(identityDeps(), operator.actorId, path.keyId);
    logger.info('api key revoked by operator', { ...revoked, actor: operatorLogActor(operator) });
    return jsonResponse(204);
  },
});
