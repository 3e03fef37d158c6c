/**
 * Sign-in use cases: ask for a code, trade it for tokens and a session, refresh the session
 * (rotating its refresh token), end it, and the local issuer's public keys.
 */
import { badRequest, logger, notFound, unauthorized } from '@switchyard/runtime';
import { getLocalJwks, personTokenConfig } from '../adapters/person-tokens';
import { withMinimumDuration } from '../adapters/sign-in';
import { INVALID_CODE_ERROR } from '../domain/otp';
import { decideRefresh, openSession, parseRefreshToken } from '../domain/sessions';
import type { Jwks, IssuedTokens } from '../domain/tokens';
import type { SignInDeps } from './deps';

/** What `/auth/verify` and `/auth/refresh` answer: the tokens and the session's next refresh token. */
export type SessionTokens = IssuedTokens & { refreshToken: string };

/** One answer for every refresh that does not succeed, whatever the reason (it is logged). */
export const INVALID_REFRESH_TOKEN = 'The refresh token is invalid, expired or revoked; sign in again.';

const refusal = () => unauthorized(INVALID_REFRESH_TOKEN, { code: 'invalid_refresh_token' });

/**
 * E-mails a code when the address has an account. Resolves the same way, no sooner than the
 * configured minimum, either way, so neither the answer nor its latency tells who has an account.
 */
export async function requestSignInCode(
  deps: Pick<SignInDeps, 'signIn' | 'loginMinResponseMs'>,
  email: string,
) {
  await withMinimumDuration(deps.loginMinResponseMs, () => deps.signIn.startLogin(email));
}

/**
 * Tokens and a new session (its first refresh token) for the right code; one 400 `invalid_code`
 * for every failure (wrong, expired, used, locked, unknown or suspended address).
 */
export async function verifySignInCode(
  deps: SignInDeps,
  email: string,
  code: string,
): Promise<SessionTokens> {
  const signedIn = await deps.signIn.completeLogin(email, code);
  if (!signedIn) throw badRequest(INVALID_CODE_ERROR.message, { code: INVALID_CODE_ERROR.code });
  const { session, refreshToken } = openSession(signedIn.user, { now: deps.now(), random: deps.random });
  await deps.sessions.open({
    session,
    ...(signedIn.providerRefreshToken ? { providerRefreshToken: signedIn.providerRefreshToken } : {}),
  });
  return { ...signedIn.tokens, refreshToken };
}

/**
 * New tokens and a new refresh token for the session's current one (rotation). A token of the
 * session that is not its current one, or one that loses a race with another refresh, revokes the
 * whole session (reuse: no grace period). Every failure is the same 401.
 */
export async function refreshSession(deps: SignInDeps, presented: string): Promise<SessionTokens> {
  const parsed = parseRefreshToken(presented);
  const stored = parsed ? await deps.sessions.get(parsed.familyId) : undefined;
  const user = stored ? await deps.users.getUser(stored.session.userId, { consistent: true }) : undefined;
  const decision = decideRefresh(presented, stored?.session, user, { now: deps.now(), random: deps.random });
  if (decision.outcome === 'refused') {
    logger.info('refresh refused', { reason: decision.reason });
    throw refusal();
  }
  // decideRefresh found the session: neither reuse nor rotation happens without one.
  const { session, providerRefreshToken } = stored!;
  if (decision.outcome === 'reuse') {
    await revokeSession(deps, session.familyId, providerRefreshToken, 'reuse');
    throw refusal();
  }
  const tokens = user ? await deps.signIn.reissue(user, providerRefreshToken) : undefined;
  if (!tokens) {
    logger.info('refresh refused', { reason: 'provider_refused', familyId: session.familyId });
    throw refusal();
  }
  if (!(await deps.sessions.rotate(session, decision.next))) {
    // Another refresh with the same token won, or the person was suspended meanwhile.
    await revokeSession(deps, session.familyId, providerRefreshToken, 'reuse');
    throw refusal();
  }
  return { ...tokens, refreshToken: decision.refreshToken };
}

/** Ends the session a refresh token belongs to. Idempotent and silent: nothing tells what existed. */
export async function endSession(deps: SignInDeps, presented: string): Promise<void> {
  const parsed = parseRefreshToken(presented);
  const stored = parsed ? await deps.sessions.get(parsed.familyId) : undefined;
  if (!stored || stored.session.status !== 'active') return;
  await revokeSession(deps, stored.session.familyId, stored.providerRefreshToken, 'logout');
}

async function revokeSession(
  deps: SignInDeps,
  familyId: string,
  providerRefreshToken: string | undefined,
  reason: 'reuse' | 'logout',
): Promise<void> {
  const revoked = await deps.sessions.revoke(familyId, reason, deps.now());
  if (reason === 'reuse') logger.warn('refresh token reused: session revoked', { familyId, revoked });
  else logger.info('session ended', { familyId, revoked });
  await deps.signIn.endSession(providerRefreshToken);
}

/** The local issuer's public keys; 404 on Cognito stages, where the user pool publishes its own. */
export async function localIssuerKeys(): Promise<Jwks> {
  const config = personTokenConfig();
  if (config.AUTH_MODE !== 'local' || !config.TABLE_NAME) {
    throw notFound('Keys are published by the Cognito user pool on this stage.');
  }
  return getLocalJwks(config.TABLE_NAME);
}
