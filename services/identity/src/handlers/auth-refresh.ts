import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { refreshTokenBody } from '../api-schemas';
import { signInDeps } from '../app/deps';
import { refreshSession } from '../app/sign-in';

/**
 * POST /auth/refresh {refreshToken}: new id and access tokens and a new refresh token (the one
 * presented is spent). A spent token revokes its whole session. Every failure is one 401.
 */
export const handler = createHttpHandler({
  body: refreshTokenBody,
  maxBodyBytes: 4 * 1024,
  handler: async ({ body }) => jsonResponse(200, await refreshSession(signInDeps(), body.refreshToken)),
});
