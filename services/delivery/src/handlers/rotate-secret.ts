import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import type { RotatedSecretResponse } from '../api-schemas';
import { subscriptionIdPathSchema } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { rotateSecret, subscriptionDeps } from '../app/subscriptions';
import { toRotatedSecretView } from '../domain/subscriptions';

/**
 * POST /subscriptions/{id}/rotate-secret: a new signing secret, shown this once; deliveries carry
 * signatures by it and by the previous secret for 24 hours.
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: subscriptionIdPathSchema,
  handler: async ({ caller, path }) => {
    const secrets = await rotateSecret(caller, path.id, subscriptionDeps());
    const body: RotatedSecretResponse = toRotatedSecretView(path.id, secrets);
    return jsonResponse(200, body);
  },
});
