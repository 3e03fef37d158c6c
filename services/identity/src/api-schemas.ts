/**
 * Request shapes and names of identity's HTTP API that more than one handler uses: the tenant-admin
 * key routes and their operator twins accept the same bodies and queries, and the OAuth start and
 * callback routes share the nonce cookie. Handlers and use cases import them from here, never from a
 * handler.
 */
import { z } from 'zod';
import { roleSchema } from './domain/api-keys';
import { STATE_TTL_MS } from './domain/oauth';
import { emailSchema } from './domain/tenants';

/** Body of `POST /keys` and `POST /operator/tenants/{tenantId}/keys`. */
export const createKeyBody = z.strictObject({
  role: roleSchema,
  /** Whose key it is: `POST /keys/revoke-by-email` revokes every key of an e-mail. */
  ownerEmail: emailSchema.optional(),
  description: z.string().trim().min(1).max(200).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export type CreateKeyBody = z.output<typeof createKeyBody>;

/**
 * Query of the tenant listings: `GET /keys`, `GET /users` and their operator twins
 * (`limit` 1–100, default 25; `cursor` from the previous page's `nextCursor`).
 */
export const listKeysQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).optional(),
});
export type ListKeysQuery = z.output<typeof listKeysQuery>;

/**
 * The MAC of a cursor covers the tenant and the listing, so it cannot be replayed by another tenant
 * or on another listing (a keys cursor on `GET /users`).
 */
export const cursorScope = (tenantId: string, listing: 'keys' | 'users') => `${tenantId}:${listing}`;

/** Body of `POST /auth/refresh` and `POST /auth/logout`. */
export const refreshTokenBody = z.strictObject({ refreshToken: z.string().min(1).max(512) });

/** Cookie holding the state's nonce, checked at the callback when the browser sends it back. */
export const nonceCookieName = (provider: string) => `sy_oauth_${provider}`;

/** The callback path the nonce cookie is scoped to, so no other route receives it. */
const nonceCookiePath = (provider: string) => `/connections/${provider}/callback`;

/**
 * `Set-Cookie` of the start route: lives as long as the state, HttpOnly, SameSite=Lax, Secure when
 * the callback is https.
 */
export function nonceCookie(provider: string, nonce: string, callbackUrl: string): string {
  const secure = callbackUrl.startsWith('https:') ? '; Secure' : '';
  return (
    `${nonceCookieName(provider)}=${nonce}; Max-Age=${STATE_TTL_MS / 1000}; ` +
    `Path=${nonceCookiePath(provider)}; HttpOnly; SameSite=Lax${secure}`
  );
}

/** The nonce the browser sent back to the callback, if it did. */
export function nonceFromCookies(cookies: string[] | undefined, provider: string): string | undefined {
  const name = nonceCookieName(provider);
  for (const cookie of cookies ?? []) {
    for (const part of cookie.split(';')) {
      const [key, ...rest] = part.trim().split('=');
      if (key === name) return rest.join('=');
    }
  }
  return undefined;
}

/** `Set-Cookie` of the callback: the nonce has served its purpose. */
export const clearNonceCookie = (provider: string) =>
  `${nonceCookieName(provider)}=; Max-Age=0; Path=${nonceCookiePath(provider)}`;
