import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { clearNonceCookie, nonceFromCookies } from '../api-schemas';
import { handleConnectionCallback } from '../app/connections';
import { connectionDeps } from '../app/deps';

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
    const deps = connectionDeps();
    const nonce = nonceFromCookies(event.cookies, path.provider);
    const input = { provider: path.provider, query, nonce, headers, now: new Date() };
    const { provider, status, expiresAt } = await handleConnectionCallback(deps, input);
    const clearCookie = { 'Set-Cookie': clearNonceCookie(path.provider) };
    const returnUrl = deps.config.CONNECTIONS_RETURN_URL;
    if (!returnUrl) return jsonResponse(200, { provider, status, expiresAt: expiresAt ?? null }, clearCookie);
    const location = new URL(returnUrl);
    location.searchParams.set('provider', provider);
    location.searchParams.set('status', status);
    return { statusCode: 302, headers: { Location: location.toString(), ...clearCookie } };
  },
});
