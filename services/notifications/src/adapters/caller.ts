/**
 * Who is calling the preference routes: a person with their JWT (id or access token, verified
 * against the issuer's JWKS: signature, issuer, audience, expiry, token_use) and a tenant. One 401
 * for every authentication failure (the reason is never echoed, the token never logged).
 */
import type { Person } from '@switchyard/access';
import { ADMINS_GROUP, createPersonTokenVerifier, issuerJwksUrl } from '@switchyard/access';
import { forbidden, logger, unauthorized } from '@switchyard/runtime';
import * as jose from 'jose';
import { apiConfig } from '../config';

export interface PersonCaller {
  tenantId: string;
  userId: string;
}

export const INVALID_CREDENTIALS = 'Missing or invalid credentials.';

let verifier: ((token: string) => Promise<Person>) | undefined;

function verify(token: string): Promise<Person> {
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

async function verifiedPerson(headers: Record<string, string | undefined>): Promise<Person> {
  const match = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (!match?.[1]) throw unauthorized(INVALID_CREDENTIALS);
  let person: Person;
  try {
    person = await verify(match[1]);
  } catch (error) {
    logger.info('person token refused', { reason: error instanceof Error ? error.message : 'unknown' });
    throw unauthorized(INVALID_CREDENTIALS);
  }
  return person;
}

export async function authenticatePerson({
  headers,
}: {
  headers: Record<string, string | undefined>;
}): Promise<PersonCaller> {
  const person = await verifiedPerson(headers);
  if (!person.tenantId) throw unauthorized(INVALID_CREDENTIALS);
  return { tenantId: person.tenantId, userId: person.userId };
}

export const NOT_AN_ADMIN = "Reminders need a member of the tenant's Admins group.";

/** A person in their tenant's Admins group (reminders); 403 for anyone else signed in. */
export async function authenticateTenantAdmin({
  headers,
}: {
  headers: Record<string, string | undefined>;
}): Promise<PersonCaller> {
  const person = await verifiedPerson(headers);
  if (!person.tenantId) throw unauthorized(INVALID_CREDENTIALS);
  if (!person.groups.includes(ADMINS_GROUP)) throw forbidden(NOT_AN_ADMIN);
  return { tenantId: person.tenantId, userId: person.userId };
}
