/**
 * The composition root: the adapters each group of use cases runs on, built from the environment.
 * Handlers pass `xxxDeps()` to the use case they call; tests pass their own (in-memory or mocked)
 * adapters instead. Adapters that cache (the store, the token client) are built once per container.
 */
import { randomBytes } from 'node:crypto';
import { dynamoDbDocumentClient } from '@switchyard/runtime';
import type { ConnectionServices } from '../adapters/connection-store';
import { connectionServices } from '../adapters/connection-store';
import type { RequestTokens } from '../adapters/oauth-client';
import { createTokenClient } from '../adapters/oauth-client';
import type { IdentityStore } from '../adapters/identity-store';
import { identityStore } from '../adapters/identity-store';
import type { Mailer, SignInPlace } from '../adapters/mailer';
import { sesMailer } from '../adapters/mailer';
import { ProfileStore } from '../adapters/profile-store';
import type { SignIn } from '../adapters/sign-in';
import { SessionTable, signInConfig, signInFromEnvironment } from '../adapters/sign-in';
import type { UserStore } from '../adapters/user-store';
import { userStore } from '../adapters/user-store';
import { config, invitationConfig } from '../config';
import type { KeyEnvironment } from '../domain/api-keys';
import { environmentForStage } from '../domain/api-keys';
import type { RandomBytes } from '../domain/random';
import type { LifecycleDeps } from './user-lifecycle';
import type { UserDeps } from './users';

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

/** Tenants and keys, plus the tenant's people. */
export function userDeps(): UserDeps {
  return { ...identityDeps(), users: userStore(config().TABLE_NAME) };
}

let mailer: Mailer | undefined;

/** The people's deps, the mailer for invitations and the sign-in place they name. */
export function lifecycleDeps(): LifecycleDeps {
  const { SIGN_IN_FROM_ADDRESS, SIGN_IN_URL, SWITCHYARD_LOCAL_API_URL } = invitationConfig();
  mailer ??= sesMailer({ from: SIGN_IN_FROM_ADDRESS });
  const signIn: SignInPlace = SIGN_IN_URL
    ? { kind: 'app', url: SIGN_IN_URL }
    : {
        kind: 'api',
        ...(SWITCHYARD_LOCAL_API_URL ? { baseUrl: SWITCHYARD_LOCAL_API_URL.replace(/\/$/, '') } : {}),
      };
  return { ...userDeps(), mailer, signIn };
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

/**
 * Sign-in: the implementation AUTH_MODE selects, how long `POST /auth/login` takes at least, the
 * sessions (refresh token families) and the users they belong to.
 */
export interface SignInDeps {
  signIn: SignIn;
  loginMinResponseMs: number;
  sessions: SessionTable;
  users: Pick<UserStore, 'getUser'>;
  now: () => Date;
  random: RandomBytes;
}

export function signInDeps(): SignInDeps {
  const { TABLE_NAME, LOGIN_MIN_RESPONSE_MS } = signInConfig();
  return {
    signIn: signInFromEnvironment(),
    loginMinResponseMs: LOGIN_MIN_RESPONSE_MS,
    sessions: new SessionTable(TABLE_NAME, dynamoDbDocumentClient()),
    users: userStore(TABLE_NAME),
    now: () => new Date(),
    random: randomBytes,
  };
}
