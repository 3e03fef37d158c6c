/**
 * Who may ask the agent: any API key of the tenant (verified against the agent's own key
 * projection) or any person of a tenant (their JWT, from identity's issuer). The tenant is the
 * credential's, never the request's. One 401 for every authentication failure.
 */
import {
  authenticateBearer,
  createKeyVerifier,
  createPersonTokenVerifier,
  issuerJwksUrl,
} from '@switchyard/access';
import type { Person } from '@switchyard/access';
import { unauthorized } from '@switchyard/runtime';
import * as jose from 'jose';
import { config } from '../config';
import { keyProjection } from './key-projection';

export interface AgentCaller {
  tenantId: string;
  /** A person's user id or `key:<keyId>`: the owner of cooldowns and conversations. */
  ownerId: string;
  userId?: string;
  apiKeyId?: string;
}

export const INVALID_CREDENTIALS = 'Missing or invalid credentials.';

let keys: ReturnType<typeof createKeyVerifier> | undefined;
let verifyPerson: ((token: string) => Promise<Person>) | undefined;

export async function authenticateCaller({
  headers,
}: {
  headers: Record<string, string | undefined>;
}): Promise<AgentCaller> {
  keys ??= createKeyVerifier({ getApiKey: (keyId) => keyProjection().getApiKey(keyId) });
  if (!verifyPerson) {
    const { PEOPLE_ISSUER_URL, PEOPLE_CLIENT_ID } = config();
    verifyPerson = createPersonTokenVerifier({
      issuer: PEOPLE_ISSUER_URL,
      clientId: PEOPLE_CLIENT_ID,
      keys: jose.createRemoteJWKSet(issuerJwksUrl(PEOPLE_ISSUER_URL)),
    });
  }
  const verifier = keys;
  const caller = await authenticateBearer(headers, {
    verifyApiKey: () => verifier.verify(headers),
    verifyPerson,
    message: INVALID_CREDENTIALS,
  });
  if (caller.kind === 'apiKey') {
    const { tenantId, keyId } = caller.key;
    return { tenantId, ownerId: `key:${keyId}`, apiKeyId: keyId };
  }
  const { person } = caller;
  // A person not (yet) in a tenant has no data to ask about.
  if (!person.tenantId)
    throw unauthorized(INVALID_CREDENTIALS, { headers: { 'WWW-Authenticate': 'Bearer' } });
  return { tenantId: person.tenantId, ownerId: person.userId, userId: person.userId };
}
