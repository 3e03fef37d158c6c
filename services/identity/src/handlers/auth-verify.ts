import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { signInDeps } from '../app/deps';
import { verifySignInCode } from '../app/sign-in';
import { emailSchema } from '../domain/tenants';

/**
 * POST /auth/verify {email, code}: 200 with Cognito-shaped tokens, or one 400 `invalid_code` for
 * every failure (wrong, expired, used, locked, unknown address). The code is not format-checked
 * here: a malformed code is a wrong guess and costs an attempt, like any other.
 */
export const handler = createHttpHandler({
  body: z.object({ email: emailSchema, code: z.string().max(64) }),
  maxBodyBytes: 4 * 1024,
  handler: async ({ body }) => jsonResponse(200, await verifySignInCode(signInDeps(), body.email, body.code)),
});
