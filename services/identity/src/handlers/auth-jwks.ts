import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { localIssuerKeys } from '../app/sign-in';

/**
 * GET /auth/.well-known/jwks.json: the local issuer's public keys, in the shape Cognito serves at
 * `${issuer}/.well-known/jwks.json`. On Cognito stages the pool serves its own keys (404 here).
 */
export const handler = createHttpHandler({
  handler: async () => jsonResponse(200, await localIssuerKeys(), { 'Cache-Control': 'public, max-age=300' }),
});
