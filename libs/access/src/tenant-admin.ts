/**
 * "An `admin` API key of the tenant, or a person in its `Admins` group": the caller check of the
 * routes that administer a tenant (delivery's webhooks, billing's plan and usage). API keys are
 * verified against the service's own key projection; people's JWTs against the issuer identity
 * exports. Every authentication failure is `authenticateBearer`'s one 401; a valid caller who is not
 * a tenant admin gets 403 with the service's message.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDbDocumentClient, forbidden } from '@switchyard/runtime';
import * as jose from 'jose';
import { authenticateBearer } from './bearer-auth';
import { createApiKeyStore } from './key-store';
import type { KeyVerifier } from './key-verifier';
import { createKeyVerifier } from './key-verifier';
import type { Person } from './person-tokens';
import { ADMINS_GROUP, createPersonTokenVerifier, issuerJwksUrl } from './person-tokens';

/** A caller allowed to administer `tenantId`. */
export interface TenantAdmin {
  tenantId: string;
  kind: 'apiKey' | 'person';
  /** `key:<keyId>` or the person's user id: for logs and audit, never a secret. */
  actorId: string;
}

export interface TenantAdminDeps {
  keys: Pick<KeyVerifier, 'verify'>;
  verifyPerson: (token: string) => Promise<Person>;
  log?: { info(message: string, extra?: Record<string, unknown>): void };
}

export interface TenantAdminMessages {
  /** Every 401. */
  invalidCredentials: string;
  /** The 403 of a valid caller who is not a tenant admin. */
  notAnAdmin: string;
}

/** The tenant admin behind a request's headers (lowercase names), or a 401/403 HttpError. */
export async function resolveTenantAdmin(
  headers: Record<string, string | undefined>,
  deps: TenantAdminDeps,
  messages: TenantAdminMessages,
): Promise<TenantAdmin> {
  const caller = await authenticateBearer(headers, {
    verifyApiKey: () => deps.keys.verify(headers),
    verifyPerson: deps.verifyPerson,
    message: messages.invalidCredentials,
    ...(deps.log ? { log: deps.log } : {}),
  });
  if (caller.kind === 'apiKey') {
    if (caller.key.role !== 'admin') throw forbidden(messages.notAnAdmin);
    return { tenantId: caller.key.tenantId, kind: 'apiKey', actorId: `key:${caller.key.keyId}` };
  }
  const { person } = caller;
  if (!person.tenantId || !person.groups.includes(ADMINS_GROUP)) throw forbidden(messages.notAnAdmin);
  return { tenantId: person.tenantId, kind: 'person', actorId: person.userId };
}

export interface TenantAdminAuthenticatorOptions {
  /** The service's table holding its key projection (`KEY#<keyId>`). */
  tableName: () => string;
  /** identity's people issuer and client id (the service's PEOPLE_ISSUER_URL / PEOPLE_CLIENT_ID). */
  issuer: () => { issuerUrl: string; clientId: string };
  messages: TenantAdminMessages;
  client?: () => DynamoDBDocumentClient;
}

/**
 * `authenticate` for createHttpHandler, wired to the service's key projection (records cached under
 * 2 s) and the people issuer (jose caches its key set and refetches on an unknown kid).
 */
export function tenantAdminAuthenticator(options: TenantAdminAuthenticatorOptions) {
  const store = createApiKeyStore(options.client ?? dynamoDbDocumentClient, options.tableName);
  const keys = createKeyVerifier({ getApiKey: (keyId) => store.getApiKey(keyId) });
  let personVerifier: ((token: string) => Promise<Person>) | undefined;
  const verifyPerson = (token: string) => {
    if (!personVerifier) {
      const { issuerUrl, clientId } = options.issuer();
      personVerifier = createPersonTokenVerifier({
        issuer: issuerUrl,
        clientId,
        keys: jose.createRemoteJWKSet(issuerJwksUrl(issuerUrl)),
      });
    }
    return personVerifier(token);
  };
  return {
    authenticate: ({ headers }: { headers: Record<string, string | undefined> }) =>
      resolveTenantAdmin(headers, { keys, verifyPerson }, options.messages),
    /** Tests only: forget cached keys and the issuer's verifier. */
    reset(): void {
      keys.clearCache();
      personVerifier = undefined;
    },
  };
}
