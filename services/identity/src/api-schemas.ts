/**
 * Request shapes and names of identity's HTTP API that more than one handler uses: the tenant-admin
 * key routes and their operator twins accept the same bodies and queries, and the OAuth start and
 * callback routes share the nonce cookie. Handlers import them from here, never from each other.
 */
import { z } from 'zod';
import { roleSchema } from './domain/api-keys';
import { emailSchema } from './domain/tenants';

/** Body of `POST /keys` and `POST /operator/tenants/{tenantId}/keys`. */
export const createKeyBody = z.strictObject({
  role: roleSchema,
  /** Whose key it is: `POST /keys/revoke-by-email` revokes every key of an e-mail. */
  ownerEmail: emailSchema.optional(),
  description: z.string().trim().min(1).max(200).optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

/** Query of `GET /keys` and `GET /operator/tenants/{tenantId}/keys`. */
export const listKeysQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().min(1).optional(),
});

/** The MAC of a cursor covers the tenant and the query, so it cannot be replayed elsewhere. */
export const cursorScope = (tenantId: string) => `${tenantId}:keys`;

/** Cookie holding the state's nonce, checked at the callback when the browser sends it back. */
export const nonceCookieName = (provider: string) => `sy_oauth_${provider}`;
