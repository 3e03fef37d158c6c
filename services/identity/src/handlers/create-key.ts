import { createHttpHandler, jsonResponse, logger } from '@switchyard/runtime';
import { requireKeyAdmin } from '../adapters/caller';
import { createKeyBody } from '../api-schemas';
import { createApiKey } from '../app/api-keys';
import { identityDeps } from '../app/deps';

/** POST /keys (tenant admins): a new key for the caller's tenant; the plaintext is in this response only. */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireKeyAdmin({ headers, logger }),
  body: createKeyBody,
  maxBodyBytes: 16 * 1024,
  handler: async ({ caller, body, logger }) => {
    const apiKey = await createApiKey(identityDeps(), caller, body);
    logger.info('api key created', { tenantId: caller.tenantId, keyId: apiKey.keyId, actor: caller.actorId });
    return jsonResponse(201, { apiKey });
  },
});
