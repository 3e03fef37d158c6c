/**
 * The composition root: the adapters each group of use cases runs on, built from the environment.
 * Handlers pass `xxxDeps()` to the use case they call; tests pass their own (in-memory or mocked)
 * adapters instead. Adapters that cache (the store, the token client) are built once per container.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectionServices } from '../adapters/connection-store';
import { connectionServices } from '../adapters/connection-store';
import type { RequestTokens } from '../adapters/oauth-client';
import { createTokenClient } from '../adapters/oauth-client';
import type { IdentityStore } from '../adapters/identity-store';
import { identityStore } from '../adapters/identity-store';
import { ProfileStore } from '../adapters/profile-store';
import type { SignIn } from '../adapters/sign-in';
import { signInConfig, signInFromEnvironment } from '../adapters/sign-in';
import { config } from '../config';
import type { KeyEnvironment } from '../domain/api-keys';
import { environmentForStage } from '../domain/api-keys';
import type { RandomBytes } from '../domain/random';

/** Tenants and API keys: identity's table, the stage's key environment, the clock and randomness. */
export interface IdentityDeps {
  store: IdentityStore;
  /** Production stages issue `sy_live_` keys, every other stage `sy_test_` keys. */
  environment: KeyEnvironment;
  now: () => Date;
  random: RandomBytes;
}

export function identityDeps(): IdentityDeps {
  const { TABLE_NAME, STAGE } = config();
  return {
    store: identityStore(TABLE_NAME),
    environment: environmentForStage(STAGE),
    now: () => new Date(),
    random: randomBytes,
  };
}

/** Profiles, and who a people-authorised caller is. */
export function profileStore(): ProfileStore {
  return new ProfileStore(config().TABLE_NAME);
}

/** Third-party connections: the providers, records, token vault and state key, plus the token endpoint client. */
export interface ConnectionDeps extends ConnectionServices {
  requestTokens: RequestTokens;
}

let requestTokens: RequestTokens | undefined;

export function connectionDeps(): ConnectionDeps {
  requestTokens ??= createTokenClient();
  return { ...connectionServices(), requestTokens };
}

/** Sign-in: the implementation AUTH_MODE selects, and how long `POST /auth/login` takes at least. */
export interface SignInDeps {
  signIn: SignIn;
  loginMinResponseMs: number;
}

export function signInDeps(): SignInDeps {
  return { signIn: signInFromEnvironment(), loginMinResponseMs: signInConfig().LOGIN_MIN_RESPONSE_MS };
}
