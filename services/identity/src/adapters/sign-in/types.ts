import type { IssuedTokens } from '../../domain/tokens';

/** Sign-in with a code sent by e-mail: what both implementations (local issuer, Cognito) answer to. */
export interface SignIn {
  /** Sends a code when the address belongs to a user; resolves the same way either way. */
  startLogin(email: string): Promise<void>;
  /** Tokens, or `undefined` for every kind of failure. */
  completeLogin(email: string, code: string): Promise<IssuedTokens | undefined>;
}
