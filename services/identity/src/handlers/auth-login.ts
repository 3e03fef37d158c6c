import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { signInDeps } from '../app/deps';
import { requestSignInCode } from '../app/sign-in';
import { LOGIN_ACCEPTED_BODY } from '../domain/otp';
import { emailSchema } from '../domain/tenants';

/**
 * POST /auth/login {email}: e-mails a 6-digit code when the address has an account. Always 202 with
 * the same body and (padded) about the same latency, so it cannot tell who has an account.
 */
export const handler = createHttpHandler({
  body: z.object({ email: emailSchema }),
  maxBodyBytes: 4 * 1024,
  handler: async ({ body }) => {
    await requestSignInCode(signInDeps(), body.email);
    return jsonResponse(202, LOGIN_ACCEPTED_BODY);
  },
});
