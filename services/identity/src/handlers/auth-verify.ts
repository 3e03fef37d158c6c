import { badRequest, createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { signInFromEnvironment } from '../adapters/sign-in';
import { INVALID_CODE_ERROR } from '../domain/otp';
import { emailSchema } from '../domain/tenants';

/**
 * POST /auth/verify {email, code}: 200 with Cognito-shaped tokens, or one 400 `invalid_code` for
 * every failure (wrong, expired, used, locked, unknown address). The code is not format-checked
 * here: a malformed code is a wrong guess and costs an attempt, like any other.
 */
export const handler = createHttpHandler({
  body: z.object({ email: emailSchema, code: z.string().max(64) }),
  maxBodyBytes: 4 * 1024,
  handler: async ({ body }) => {
    const tokens = await signInFromEnvironment().completeLogin(body.email, body.code);
    if (!tokens) throw badRequest(INVALID_CODE_ERROR.message, { code: INVALID_CODE_ERROR.code });
    return jsonResponse(200, tokens);
  },
});
