import { createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { z } from 'zod';
import { identityStore } from '../adapters/identity-store';
import { requireOperatorActor } from '../app/operator-access';
import { config } from '../config';

/**
 * DELETE /operator/keys/{keyId} (IAM-authorised): revokes any tenant's key for good, through the same
 * store call as `DELETE /keys/{keyId}`. Idempotent: a revoked key is a 204 without a second
 * ApiKeyRevoked. An unknown key is a 404.
 */
export const handler = createHttpHandler({
  path: z.object({ keyId: z.string() }),
  handler: async ({ path, event, logger }) => {
    const operator = requireOperatorActor(event);
    const store = identityStore(config().TABLE_NAME);
    const key = await store.getApiKey(path.keyId);
    if (!key) throw notFound('No such API key.');
    const outcome = await store.revokeApiKey(key.tenantId, key.keyId, {
      now: new Date(),
      revokedBy: operator.actorId,
    });
    if (outcome === 'not_found') throw notFound('No such API key.');
    logger.info('api key revoked by operator', {
      tenantId: key.tenantId,
      keyId: key.keyId,
      outcome,
      actor: { userArn: operator.userArn, accessKey: operator.accessKey },
    });
    return jsonResponse(204);
  },
});
