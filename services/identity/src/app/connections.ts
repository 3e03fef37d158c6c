/**
 * Third-party connection use cases: start (a signed state and the provider's authorize URL), the
 * callback (the code exchanged for tokens, the user connected) and the caller's list. The refresh
 * job is ./refresh-connections.ts.
 */
import { randomBytes } from 'node:crypto';
import { badRequest, HttpError, notFound, validationFailed } from '@switchyard/runtime';
import type { ConnectionStore } from '../adapters/connection-store';
import { TokenEndpointError } from '../adapters/oauth-client';
import type { RequestTokens } from '../adapters/oauth-client';
import type { ProviderRegistry } from '../adapters/providers';
import { callbackUrl } from '../adapters/providers';
import type { TokenVault } from '../adapters/token-vault';
import type { Connection, ProviderConfig } from '../domain/oauth';
import {
  buildAuthorizeUrl,
  markConnected,
  newNonce,
  OAuthStateError,
  signState,
  STATE_TTL_MS,
  verifyState,
} from '../domain/oauth';
import type { Viewer } from '../domain/profiles';
import type { ConnectionDeps } from './deps';

type Headers = Record<string, string | undefined>;

export interface StartedConnection {
  authorizeUrl: string;
  state: string;
  expiresAt: string;
  nonce: string;
}

/** A signed, expiring state for this user and provider, and the provider's authorize URL carrying it. */
export function startConnection(input: {
  provider: ProviderConfig;
  userId: string;
  tenantId: string;
  redirectUri: string;
  secret: Uint8Array;
  now: Date;
  random?: (size: number) => Uint8Array;
}): StartedConnection {
  const nonce = newNonce(input.random ?? randomBytes);
  const expiresAt = new Date(input.now.getTime() + STATE_TTL_MS).toISOString();
  const state = signState(
    { userId: input.userId, tenantId: input.tenantId, provider: input.provider.name, nonce, expiresAt },
    input.secret,
  );
  return {
    authorizeUrl: buildAuthorizeUrl(input.provider, { redirectUri: input.redirectUri, state }),
    state,
    expiresAt,
    nonce,
  };
}

/**
 * `GET /connections/{provider}/start`: the caller's start at a provider this stage offers (404
 * otherwise), with the redirect URI the callback will use (the browser's nonce cookie is scoped to it).
 */
export async function startCallerConnection(
  deps: ConnectionDeps,
  input: { caller: Viewer; provider: string; headers: Headers; now: Date },
): Promise<StartedConnection & { provider: string; redirectUri: string }> {
  const provider = await deps.providers.get(input.provider);
  if (!provider) throw notFound('No such provider');
  const redirectUri = callbackUrl(provider.name, input.headers, deps.config.CONNECTIONS_CALLBACK_BASE_URL);
  const started = startConnection({
    provider,
    userId: input.caller.userId,
    tenantId: input.caller.tenantId,
    redirectUri,
    secret: await deps.stateSecret(),
    now: input.now,
  });
  return { ...started, provider: provider.name, redirectUri };
}

export interface CallbackDeps {
  providers: ProviderRegistry;
  store: Pick<ConnectionStore, 'saveConnected'>;
  vault: TokenVault;
  requestTokens: RequestTokens;
  stateSecret: Uint8Array;
}

export interface CallbackInput {
  provider: string;
  code: string;
  state: string;
  /** The nonce cookie, when the browser sent it: binds the callback to the browser that started. */
  nonce?: string;
  redirectUri: string;
  now: Date;
}

/**
 * The state authenticates the callback (no authorizer on this route): it must be ours, unexpired,
 * for this provider, and match the browser's nonce cookie when there is one. Then the code is
 * exchanged, the tokens go to the vault, and the user is marked connected with the tokens' expiry.
 */
export async function completeConnection(deps: CallbackDeps, input: CallbackInput): Promise<Connection> {
  let state;
  try {
    state = verifyState(input.state, deps.stateSecret, input.now, {
      ...(input.nonce === undefined ? {} : { expectedNonce: input.nonce }),
    });
  } catch (error) {
    if (error instanceof OAuthStateError) {
      throw badRequest('The sign-in link is invalid or has expired; start again.', {
        code: 'invalid_state',
        details: [{ path: 'query.state', message: error.reason }],
      });
    }
    throw error;
  }
  if (state.provider !== input.provider) {
    throw badRequest('The state was issued for another provider.', { code: 'invalid_state' });
  }
  const provider = await deps.providers.get(input.provider);
  if (!provider) throw notFound('No such provider');
  let tokens;
  try {
    tokens = await deps.requestTokens(
      provider,
      { grantType: 'authorization_code', code: input.code, redirectUri: input.redirectUri },
      await deps.providers.clientSecret(provider.name),
    );
  } catch (error) {
    if (!(error instanceof TokenEndpointError)) throw error;
    if (error.httpStatus !== undefined && error.httpStatus >= 400 && error.httpStatus < 500) {
      throw badRequest(`${provider.name} refused the authorization code; start again.`, {
        code: 'authorization_failed',
        ...(error.oauthError ? { details: [{ path: 'query.code', message: error.oauthError }] } : {}),
      });
    }
    throw new HttpError(502, 'provider_unavailable', `${provider.name} could not be reached; try again.`, {
      cause: error,
    });
  }
  await deps.vault.put(state.userId, provider.name, tokens);
  const connection = markConnected(
    { userId: state.userId, tenantId: state.tenantId, provider: provider.name },
    tokens,
    input.now,
  );
  await deps.store.saveConnected(connection);
  return connection;
}

/**
 * `GET /connections/{provider}/callback`: the provider sends the browser back with an error (400
 * `authorization_denied`) or a code and the state, which `completeConnection` checks and redeems.
 */
export async function handleConnectionCallback(
  deps: ConnectionDeps,
  input: {
    provider: string;
    query: { code?: string | undefined; state: string; error?: string | undefined };
    nonce: string | undefined;
    headers: Headers;
    now: Date;
  },
): Promise<Connection> {
  const { query } = input;
  if (query.error) {
    throw badRequest('The provider did not authorise the connection.', {
      code: 'authorization_denied',
      details: [{ path: 'query.error', message: query.error }],
    });
  }
  if (!query.code)
    throw validationFailed([{ path: 'query.code', message: 'required' }], 'The callback has no code.');
  return completeConnection(
    { ...deps, stateSecret: await deps.stateSecret() },
    {
      provider: input.provider,
      code: query.code,
      state: query.state,
      ...(input.nonce ? { nonce: input.nonce } : {}),
      redirectUri: callbackUrl(input.provider, input.headers, deps.config.CONNECTIONS_CALLBACK_BASE_URL),
      now: input.now,
    },
  );
}

/** What a client sees of a connection: its state, never a token. */
export function toConnectionView(connection: Connection) {
  return {
    provider: connection.provider,
    status: connection.status,
    expiresAt: connection.expiresAt ?? null,
    connectedAt: connection.connectedAt,
    updatedAt: connection.updatedAt,
  };
}

/** The caller's connections, as clients see them. */
export async function listConnections(deps: Pick<ConnectionDeps, 'store'>, caller: Viewer) {
  const connections = await deps.store.listForUser(caller.userId);
  return connections.map(toConnectionView);
}
