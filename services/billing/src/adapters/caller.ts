/**
 * Who is calling billing's tenant routes: an `admin` API key (verified against billing's own
 * projection of identity's key events) or a person in the tenant's `Admins` group (their JWT), as in
 * delivery. Every authentication failure is the same 401; a valid caller who is no admin gets 403.
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
import { apiConfig } from '../config';

export interface TenantAdmin {
  tenantId: string;
  kind: 'apiKey' | 'person';
  actorId: string;
}

export const INVALID_CREDENTIALS = 'Missing or invalid credentials.';
export const NOT_AN_ADMIN = "Billing needs an admin API key or a member of the tenant's Admins group.";

export interface CallerDeps {
  keys: Pick<KeyVerifier, 'verify'>;
  verifyPerson: (token: string) => Promise<Person>;
}

export async function resolveTenantAdmin(
  headers: Record<string, string | undefined>,
  deps: CallerDeps,
): Promise<TenantAdmin> {
  const caller = await authenticateBearer(headers, {
    verifyApiKey: () => deps.keys.verify(headers),
    verifyPerson: deps.verifyPerson,
    message: INVALID_CREDENTIALS,
  });
  if (caller.kind === 'apiKey') {
    if (caller.key.role !== 'admin') throw forbidden(NOT_AN_ADMIN);
    return { tenantId: caller.key.tenantId, kind: 'apiKey', actorId: `key:${caller.key.keyId}` };
  }
  const { person } = caller;
  if (!person.tenantId || !person.groups.includes(ADMINS_GROUP)) throw forbidden(NOT_AN_ADMIN);
  return { tenantId: person.tenantId, kind: 'person', actorId: person.userId };
}

/** billing's copy of identity's API keys (`KEY#<keyId>` in the billing table). */
const keyProjection = createApiKeyStore(dynamoDbDocumentClient, () => apiConfig().BILLING_TABLE);
const keyVerifier = createKeyVerifier({ getApiKey: (keyId) => keyProjection.getApiKey(keyId) });

let personVerifier: ((token: string) => Promise<Person>) | undefined;
function verifyPersonToken(token: string): Promise<Person> {
  if (!personVerifier) {
    const { PEOPLE_ISSUER_URL, PEOPLE_CLIENT_ID } = apiConfig();
    personVerifier = createPersonTokenVerifier({
      issuer: PEOPLE_ISSUER_URL,
      clientId: PEOPLE_CLIENT_ID,
      keys: jose.createRemoteJWKSet(issuerJwksUrl(PEOPLE_ISSUER_URL)),
    });
  }
  return personVerifier(token);
}

/** What every tenant route passes as `authenticate`. */
export function authenticateAdmin({
  headers,
}: {
  headers: Record<string, string | undefined>;
}): Promise<TenantAdmin> {
  return resolveTenantAdmin(headers, { keys: keyVerifier, verifyPerson: verifyPersonToken });
}
