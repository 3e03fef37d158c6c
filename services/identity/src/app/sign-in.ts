/** Sign-in use cases: ask for a code, trade it for tokens, and the local issuer's public keys. */
import { badRequest, notFound } from '@switchyard/runtime';
import { getLocalJwks, personTokenConfig } from '../adapters/person-tokens';
import { withMinimumDuration } from '../adapters/sign-in';
import { INVALID_CODE_ERROR } from '../domain/otp';
import type { Jwks, IssuedTokens } from '../domain/tokens';
import type { SignInDeps } from './deps';

/**
 * E-mails a code when the address has an account. Resolves the same way, no sooner than the
 * configured minimum, either way, so neither the answer nor its latency tells who has an account.
 */
export async function requestSignInCode(deps: SignInDeps, email: string): Promise<void> {
  await withMinimumDuration(deps.loginMinResponseMs, () => deps.signIn.startLogin(email));
}

/** Tokens for the right code; one 400 `invalid_code` for every failure (wrong, expired, used, locked, unknown). */
export async function verifySignInCode(deps: SignInDeps, email: string, code: string): Promise<IssuedTokens> {
  const tokens = await deps.signIn.completeLogin(email, code);
  if (!tokens) throw badRequest(INVALID_CODE_ERROR.message, { code: INVALID_CODE_ERROR.code });
  return tokens;
}

/** The local issuer's public keys; 404 on Cognito stages, where the user pool publishes its own. */
export async function localIssuerKeys(): Promise<Jwks> {
  const config = personTokenConfig();
  if (config.AUTH_MODE !== 'local' || !config.TABLE_NAME) {
    throw notFound('Keys are published by the Cognito user pool on this stage.');
  }
  return getLocalJwks(config.TABLE_NAME);
}
