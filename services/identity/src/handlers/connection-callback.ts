import { badRequest, createHttpHandler, HttpError, jsonResponse, notFound } from '@switchyard/runtime';
import { z } from 'zod';
import type { ConnectionStore } from '../adapters/connection-store';
import { connectionServices } from '../adapters/connection-store';
import { createTokenClient, TokenEndpointError } from '../adapters/oauth-client';
import type { RequestTokens } from '../adapters/oauth-client';
import type { ProviderRegistry } from '../adapters/providers';
import { callbackUrl } from '../adapters/providers';
import type { TokenVault } from '../adapters/token-vault';
import { nonceCookieName } from '../api-schemas';
import type { Connection } from '../domain/oauth';
import { markConnected, OAuthStateError, verifyState } from '../domain/oauth';

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
  if (!provider) throw notFound(`No provider ${input.provider}`);
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

function cookieValue(cookies: string[] | undefined, name: string): string | undefined {
  for (const cookie of cookies ?? []) {
    for (const part of cookie.split(';')) {
      const [key, ...rest] = part.trim().split('=');
      if (key === name) return rest.join('=');
    }
  }
  return undefined;
}

const requestTokens = createTokenClient();

/**
 * GET /connections/{provider}/callback?code&state (no authorizer: the signed state authenticates).
 * Answers JSON, or redirects to CONNECTIONS_RETURN_URL when the stage sets one.
 */
export const handler = createHttpHandler({
  path: z.object({ provider: z.string().min(1).max(64) }),
  query: z.object({
    code: z.string().min(1).max(2048).optional(),
    state: z.string().min(1).max(2048),
    error: z.string().max(256).optional(),
  }),
  handler: async ({ path, query, event, headers }) => {
    if (query.error) {
      throw badRequest('The provider did not authorise the connection.', {
        code: 'authorization_denied',
        details: [{ path: 'query.error', message: query.error }],
      });
    }
    if (!query.code) {
      throw badRequest('The callback has no code.', {
        code: 'validation_failed',
        details: [{ path: 'query.code', message: 'required' }],
      });
    }
    const services = connectionServices();
    const nonce = cookieValue(event.cookies, nonceCookieName(path.provider));
    const connection = await completeConnection(
      {
        providers: services.providers,
        store: services.store,
        vault: services.vault,
        requestTokens,
        stateSecret: await services.stateSecret(),
      },
      {
        provider: path.provider,
        code: query.code,
        state: query.state,
        ...(nonce ? { nonce } : {}),
        redirectUri: callbackUrl(path.provider, headers, services.config.CONNECTIONS_CALLBACK_BASE_URL),
        now: new Date(),
      },
    );
    const clearCookie = `${nonceCookieName(path.provider)}=; Max-Age=0; Path=/connections/${path.provider}/callback`;
    const returnUrl = services.config.CONNECTIONS_RETURN_URL;
    if (returnUrl) {
      const location = new URL(returnUrl);
      location.searchParams.set('provider', connection.provider);
      location.searchParams.set('status', connection.status);
      return { statusCode: 302, headers: { Location: location.toString(), 'Set-Cookie': clearCookie } };
    }
    return jsonResponse(
      200,
      { provider: connection.provider, status: connection.status, expiresAt: connection.expiresAt ?? null },
      { 'Set-Cookie': clearCookie },
    );
  },
});
