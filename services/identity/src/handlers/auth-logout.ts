import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { refreshTokenBody } from '../api-schemas';
import { signInDeps } from '../app/deps';
import { endSession } from '../app/sign-in';

/** POST /auth/logout {refreshToken}: ends that session. 204 every time (idempotent, reveals nothing). */
export const handler = createHttpHandler({
  body: refreshTokenBody,
  maxBodyBytes: 4 * 1024,
  handler: async ({ body }) => {
    await endSession(signInDeps(), body.refreshToken);
    return jsonResponse(204);
  },
});
