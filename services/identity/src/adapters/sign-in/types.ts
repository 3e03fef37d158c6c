import type { IssuedTokens } from '../../domain/tokens';
import type { UserRecord } from '../../domain/users';

/** Who signed in, as their session records them. */
export interface SessionUser {
  userId: string;
  tenantId: string;
  sessionEpoch: number;
}

/** A successful sign-in: the tokens, the person, and (Cognito mode) the pool's refresh token. */
export interface SignedIn {
  tokens: IssuedTokens;
  user: SessionUser;
  /** Cognito's refresh token for this sign-in: kept in the session item, never given to the client. */
  providerRefreshToken?: string;
}

/** Sign-in with a code sent by e-mail: what both implementations (local issuer, Cognito) answer to. */
export interface SignIn {
  /** Sends a code when the address belongs to an active user; resolves the same way either way. */
  startLogin(email: string): Promise<void>;
  /** The tokens and the person, or `undefined` for every kind of failure. */
  completeLogin(email: string, code: string): Promise<SignedIn | undefined>;
  /**
   * New id and access tokens for a session's (active) user: signed here with their current groups
   * (local), or Cognito's REFRESH_TOKEN_AUTH with the session's pool token. `undefined` when the
   * provider refuses.
   */
  reissue(user: UserRecord, providerRefreshToken: string | undefined): Promise<IssuedTokens | undefined>;
  /** Ends the provider's side of a session (Cognito: RevokeToken); nothing to do locally. */
  endSession(providerRefreshToken: string | undefined): Promise<void>;
}
