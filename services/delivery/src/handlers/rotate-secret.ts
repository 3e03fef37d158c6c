import { randomBytes } from 'node:crypto';
import { createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import type { RotatedSecretResponse } from '../api-schemas';
import { subscriptionIdPathSchema } from '../api-schemas';
import { apiStore } from '../adapters/api-store';
import { authenticateAdmin } from '../adapters/caller';
import { newSigningSecret, toRotatedSecretView } from '../domain/subscriptions';

/**
 * POST /subscriptions/{id}/rotate-secret: a new signing secret, shown this once; deliveries carry
 * signatures by it and by the previous secret for 24 hours.
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  handler: async ({ caller, path, logger }) => {
    const secrets = await apiStore().rotateSecret(
      caller.tenantId,
      path.id,
      newSigningSecret(randomBytes),
      new Date(),
    );
    if (!secrets) throw notFound('No such subscription');
    logger.info('secret_rotated', {
      subscriptionId: path.id,
      actorId: caller.actorId,
      secrets: secrets.length,
    });
    const body: RotatedSecretResponse = toRotatedSecretView(path.id, secrets);
    return jsonResponse(200, body);
  },
});
