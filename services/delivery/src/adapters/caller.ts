/**
 * Who is calling delivery's API. There is no gateway authorizer: every handler passes
 * `authenticate` to createHttpHandler, which calls `authenticateAdmin` before anything of the
 * request is validated. `Authorization: Bearer <token>` holds either
 *
 * - an API key (`sy_<live|test>_…`): verified against delivery's own projection of identity's key
 *   events (createKeyVerifier + createApiKeyStore on DELIVERY_TABLE: one GetItem by the key id,
 *   records cached for less than 2 s); only the `admin` role may manage webhooks;
 * - a person's JWT (id or access token): signature, issuer, audience, expiry and token_use checked
 *   against the issuer's JWKS (PEOPLE_ISSUER_URL; locally served by the local cloud's API); a
 *   member of `Admins` with a `custom:tenantId` administers that tenant.
 *
 * Every authentication failure, whatever the reason, is the same 401 (the reason is logged, never
 * the token); a valid caller who is not a tenant admin gets 403.
 */
import type { KeyVerifier, Person } from '@switchyard/access';
import {
  ADMINS_GROUP,
  authenticateBearer,
  createApiKeyStore,
  createKeyVerifier,
  createPersonTokenVerifier,
  issuerJwksUrl,
} from '@switchyard/access';
import { dynamoDbDocumentClient, forbidden } from '@switchyard/runtime';
import * as jose from 'jose';
import { apiConfig } from '../api-config';

/** A caller allowed to manage `tenantId`'s webhooks. */
export interface TenantAdmin {
  tenantId: string;
  kind: 'apiKey' | 'person';
  /** `key:<keyId>` or the person's user id: for logs and audit, never a secret. */
  actorId: string;
}

/** One message for every authentication failure, so a client cannot tell unknown from revoked. */
export const INVALID_CREDENTIALS = 'Missing or invalid credentials.';
export const NOT_AN_ADMIN =
  "Managing webhooks needs an admin API key or a member of the tenant's Admins group.";

export interface CallerDeps {
  keys: Pick<KeyVerifier, 'verify'>;
  verifyPerson: (token: string) => Promise<Person>;
  log?: { info(message: string, extra?: Record<string, unknown>): void };
}

/** The tenant admin behind a request's headers (lowercase names), or a 401/403 HttpError. */
export async function resolveTenantAdmin(
  headers: Record<string, string | undefined>,
  deps: CallerDeps,
): Promise<TenantAdmin> {
  const caller = await authenticateBearer(headers, {
    verifyApiKey: () => deps.keys.verify(headers),
    verifyPerson: deps.verifyPerson,
    message: INVALID_CREDENTIALS,
    log: deps.log,
  });
  if (caller.kind === 'apiKey') {
    if (caller.key.role !== 'admin') throw forbidden(NOT_AN_ADMIN);
    return { tenantId: caller.key.tenantId, kind: 'apiKey', actorId: `key:${caller.key.keyId}` };
  }
  const { person } = caller;
  if (!person.tenantId || !person.groups.includes(ADMINS_GROUP)) throw forbidden(NOT_AN_ADMIN);
  return { tenantId: person.tenantId, kind: 'person', actorId: person.userId };
}

// ---------------------------------------------------------------------------------------------------
// Wired to this stage's table and issuer

const keyStore = createApiKeyStore(dynamoDbDocumentClient, () => apiConfig().DELIVERY_TABLE);
const keyVerifier = createKeyVerifier({ getApiKey: (keyId) => keyStore.getApiKey(keyId) });

let personVerifier: ((token: string) => Promise<Person>) | undefined;

function verifyPersonToken(token: string): Promise<Person> {
  if (!personVerifier) {
    const { PEOPLE_ISSUER_URL, PEOPLE_CLIENT_ID } = apiConfig();
    // jose caches the key set and refetches it on an unknown kid (key rotation).
    personVerifier = createPersonTokenVerifier({
      issuer: PEOPLE_ISSUER_URL,
      clientId: PEOPLE_CLIENT_ID,
      keys: jose.createRemoteJWKSet(issuerJwksUrl(PEOPLE_ISSUER_URL)),
    });
  }
  return personVerifier(token);
}

/** What every API handler passes as `authenticate`. */
export function authenticateAdmin({
  headers,
}: {
  headers: Record<string, string | undefined>;
}): Promise<TenantAdmin> {
  return resolveTenantAdmin(headers, { keys: keyVerifier, verifyPerson: verifyPersonToken });
}

/** Tests only. */
export function resetCallerForTests(): void {
  keyVerifier.clearCache();
  personVerifier = undefined;
}
