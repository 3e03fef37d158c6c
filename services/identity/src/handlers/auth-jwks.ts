import { createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { getLocalJwks, personTokenConfig } from '../adapters/person-tokens';

/**
 * GET /auth/.well-known/jwks.json: the local issuer's public keys, in the shape Cognito serves at
 * `${issuer}/.well-known/jwks.json`. On Cognito stages the pool serves its own keys (404 here).
 */
export const handler = createHttpHandler({
  handler: async () => {
    const config = personTokenConfig();
    if (config.AUTH_MODE !== 'local' || !config.TABLE_NAME) {
      throw notFound('Keys are published by the Cognito user pool on this stage.');
    }
    return jsonResponse(200, await getLocalJwks(config.TABLE_NAME), {
      'Cache-Control': 'public, max-age=300',
    });
  },
});
