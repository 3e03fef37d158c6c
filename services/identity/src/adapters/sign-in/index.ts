/**
 * Sign-in for people with a 6-digit code sent by e-mail, behind one interface (`SignIn`) with two
 * implementations, chosen by AUTH_MODE:
 *
 * - `LocalSignIn` (./local.ts): our own Cognito-compatible issuer.
 * - `CognitoSignIn` (./cognito.ts): the user pool's choice-based sign-in.
 *
 * Both keep their challenge in the same `OTP#<email>` item (./challenge-table.ts) and answer every
 * failure the same way (`undefined` from `completeLogin`), so the caller cannot tell a wrong code
 * from an expired, used or locked one or from an unknown address.
 */
import { defineConfig } from '@switchyard/runtime';
import { z } from 'zod';
import { cognitoSdk } from '../aws-sdks';
import { sesMailer } from '../mailer';
import { CognitoSignIn } from './cognito';
import { forgetPepper, LocalSignIn } from './local';
import type { SignIn } from './types';

export type { SessionUser, SignedIn, SignIn } from './types';
export { SessionTable } from './session-table';
export type { StoredSession } from './session-table';
export { otpKey } from './challenge-table';
export { getPepper, LocalSignIn, PEPPER_SK } from './local';
export type { LocalSignInOptions } from './local';
export { CognitoSignIn } from './cognito';
export type { CognitoSignInOptions } from './cognito';

export const signInConfig = defineConfig(
  z.object({
    AUTH_MODE: z.enum(['local', 'cognito']),
    TABLE_NAME: z.string().min(1),
    ISSUER_URL: z.url(),
    CLIENT_ID: z.string().min(1),
    /** Cognito mode only. */
    USER_POOL_ID: z.string().min(1).optional(),
    /** Local mode only: the SES sender of the code e-mails. */
    SIGN_IN_FROM_ADDRESS: z.string().min(3).default('no-reply@switchyard.local'),
    /**
     * `POST /auth/login` never answers sooner than this, so an address with an account (table
     * writes + an e-mail) and one without (two reads) take about as long.
     */
    LOGIN_MIN_RESPONSE_MS: z.coerce.number().int().min(0).max(5000).default(400),
  }),
);

let configured: SignIn | undefined;

/** The implementation AUTH_MODE selects, built once per process. */
export function signInFromEnvironment(): SignIn {
  if (configured) return configured;
  const config = signInConfig();
  if (config.AUTH_MODE === 'local') {
    configured = new LocalSignIn({
      tableName: config.TABLE_NAME,
      issuer: config.ISSUER_URL,
      clientId: config.CLIENT_ID,
      mailer: sesMailer({ from: config.SIGN_IN_FROM_ADDRESS }),
    });
  } else {
    if (!config.USER_POOL_ID) throw new Error('USER_POOL_ID is required in cognito auth mode');
    configured = new CognitoSignIn({
      tableName: config.TABLE_NAME,
      userPoolId: config.USER_POOL_ID,
      clientId: config.CLIENT_ID,
      cognito: new (cognitoSdk().CognitoIdentityProviderClient)({ retryMode: 'standard', maxAttempts: 3 }),
    });
  }
  return configured;
}

/** Runs `work`, then waits until at least `minMs` have passed since the start (timing padding). */
export async function withMinimumDuration<T>(minMs: number, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    const left = minMs - (Date.now() - started);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  }
}

/** For tests: forget the memoised pepper and configuration. */
export function resetSignInForTests(): void {
  forgetPepper();
  configured = undefined;
  signInConfig.reset();
}
