/**
 * Who is calling notifications' routes. `Authorization: Bearer <token>` holds either a person's JWT
 * (id or access token, verified against the issuer's JWKS: signature, issuer, audience, expiry,
 * token_use) or an API key (verified against notifications' own projection of identity's key
 * events, ./key-projection.ts).
 *
 * - Preferences are a person's own: a valid API key is 403 (it is nobody's preferences).
 * - Reminders are for tenant admins: an `admin` API key or a member of the tenant's Admins group.
 *
 * One 401 for every authentication failure (the reason is logged, never the token).
 */
import type { Person } from '@switchyard/access';
import {
  authenticateBearer,
  createApiKeyStore,
  createKeyVerifier,
  createPersonTokenVerifier,
  issuerJwksUrl,
  resolveTenantAdmin,
} from '@switchyard/access';
import type { KeyVerifier, TenantAdmin } from '@switchyard/access';
import { dynamoDbDocumentClient, forbidden, unauthorized } from '@switchyard/runtime';
import * as jose from 'jose';
import { apiConfig } from '../config';

export interface PersonCaller {
  tenantId: string;
  userId: string;
}

export const INVALID_CREDENTIALS = 'Missing or invalid credentials.';
export const PEOPLE_ONLY = 'Notification preferences belong to a person: sign in as them.';
export const NOT_AN_ADMIN = "Reminders need an admin API key or a member of the tenant's Admins group.";

let keys: KeyVerifier | undefined;
function keyVerifier(): KeyVerifier {
  if (!keys) {
    const store = createApiKeyStore(dynamoDbDocumentClient, () => apiConfig().NOTIFICATIONS_TABLE);
    keys = createKeyVerifier({ getApiKey: (keyId) => store.getApiKey(keyId) });
  }
  return keys;
}

let verifier: ((token: string) => Promise<Person>) | undefined;
function verifyPerson(token: string): Promise<Person> {
  if (!verifier) {
    const { PEOPLE_ISSUER_URL, PEOPLE_CLIENT_ID } = apiConfig();
    // jose caches the key set and refetches it on an unknown kid (key rotation).
    verifier = createPersonTokenVerifier({
      issuer: PEOPLE_ISSUER_URL,
      clientId: PEOPLE_CLIENT_ID,
      keys: jose.createRemoteJWKSet(issuerJwksUrl(PEOPLE_ISSUER_URL)),
    });
  }
  return verifier(token);
}

export async function authenticatePerson({
  headers,
}: {
  headers: Record<string, string | undefined>;
}): Promise<PersonCaller> {
  const caller = await authenticateBearer(headers, {
    verifyApiKey: () => keyVerifier().verify(headers),
    verifyPerson,
    message: INVALID_CREDENTIALS,
  });
  if (caller.kind === 'apiKey') throw forbidden(PEOPLE_ONLY);
  if (!caller.person.tenantId) throw unauthorized(INVALID_CREDENTIALS);
  return { tenantId: caller.person.tenantId, userId: caller.person.userId };
}

/** An admin API key of the tenant or a person in its Admins group; 403 for any other valid caller. */
export function authenticateTenantAdmin({
  headers,
}: {
  headers: Record<string, string | undefined>;
}): Promise<TenantAdmin> {
  return resolveTenantAdmin(
    headers,
    { keys: keyVerifier(), verifyPerson },
    { invalidCredentials: INVALID_CREDENTIALS, notAnAdmin: NOT_AN_ADMIN },
  );
}
