import { randomBytes } from 'node:crypto';
import { createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { z } from 'zod';
import { connectionServices } from '../adapters/connection-store';
import { callerFromEvent, ProfileStore } from '../adapters/profile-store';
import { callbackUrl } from '../adapters/providers';
import { nonceCookieName } from '../api-schemas';
import type { ProviderConfig } from '../domain/oauth';
import { buildAuthorizeUrl, newNonce, signState, STATE_TTL_MS } from '../domain/oauth';

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
 * GET /connections/{provider}/start (people authorizer) → `{ authorizeUrl, expiresAt }`. The client
 * sends the browser to authorizeUrl; the provider comes back to /connections/{provider}/callback.
 */
export const handler = createHttpHandler({
  path: z.object({ provider: z.string().min(1).max(64) }),
  handler: async ({ path, event, headers }) => {
    const services = connectionServices();
    const caller = await callerFromEvent(event, new ProfileStore(services.config.TABLE_NAME));
    const provider = await services.providers.get(path.provider);
    if (!provider) throw notFound(`No provider ${path.provider}`);
    const redirectUri = callbackUrl(provider.name, headers, services.config.CONNECTIONS_CALLBACK_BASE_URL);
    const started = startConnection({
      provider,
      userId: caller.userId,
      tenantId: caller.tenantId,
      redirectUri,
      secret: await services.stateSecret(),
      now: new Date(),
    });
    const secure = redirectUri.startsWith('https:') ? '; Secure' : '';
    const cookie =
      `${nonceCookieName(provider.name)}=${started.nonce}; Max-Age=${STATE_TTL_MS / 1000}; ` +
      `Path=/connections/${provider.name}/callback; HttpOnly; SameSite=Lax${secure}`;
    return jsonResponse(
      200,
      { authorizeUrl: started.authorizeUrl, expiresAt: started.expiresAt },
      { 'Set-Cookie': cookie },
    );
  },
});
