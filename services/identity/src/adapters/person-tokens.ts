/**
 * People's JWTs: the issuer signing key of the local mode (stored in identity's table) and the one
 * verification function every identity handler uses for a person's bearer token.
 *
 * - `AUTH_MODE=local`: tokens come from our Cognito-compatible issuer (`ISSUER_URL`, e.g.
 *   `https://auth.switchyard.local/local`), signed with the RS256 key stored at `ISSUER`/`KEY#current`.
 * - `AUTH_MODE=cognito`: tokens come from the Cognito user pool (`ISSUER_URL` =
 *   `https://cognito-idp.<region>.amazonaws.com/<poolId>`), verified against its remote JWKS.
 *
 * In both modes the client is `CLIENT_ID`: the id token's `aud`, the access token's `client_id`.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { defineConfig, getOrCreateItem } from '@switchyard/runtime';
import type { Person } from '@switchyard/access';
import {
  createPersonTokenVerifier as createSharedVerifier,
  jwksUrlOf,
  personFromClaims,
} from '@switchyard/access';
import * as jose from 'jose';
import { z } from 'zod';
import type { Jwks, SigningKey } from '../domain/tokens';
import { createSigningKey, exportJwks, SIGNING_ALG } from '../domain/tokens';

export type { Person };
export { personFromClaims };

export const personTokenConfig = defineConfig(
  z.object({
    AUTH_MODE: z.enum(['local', 'cognito']),
    ISSUER_URL: z.url(),
    CLIENT_ID: z.string().min(1),
    TABLE_NAME: z.string().min(1).optional(),
  }),
);

// ---- Local issuer key (ISSUER / KEY#current) --------------------------------------------------

export const ISSUER_PK = 'ISSUER';
export const ISSUER_KEY_SK = 'KEY#current';

type StoredIssuerKey = {
  pk: string;
  sk: string;
  kid: string;
  alg: string;
  /** PKCS#8 PEM. Local mode only: on AWS, Cognito holds the keys. */
  privateKeyPem: string;
  publicJwk: jose.JWK;
  createdAt: string;
};

let issuerKey: Promise<SigningKey> | undefined;

/** The local issuer's signing key: created once per stage, loaded once per process. */
export function getIssuerKey(tableName: string, client?: DynamoDBDocumentClient): Promise<SigningKey> {
  issuerKey ??= loadOrCreateIssuerKey(tableName, client).catch((error: unknown) => {
    issuerKey = undefined; // a failed load (e.g. DynamoDB not up yet) is retried on the next call
    throw error;
  });
  return issuerKey;
}

async function loadOrCreateIssuerKey(
  tableName: string,
  client?: DynamoDBDocumentClient,
): Promise<SigningKey> {
  const stored = await getOrCreateItem<StoredIssuerKey>(
    tableName,
    { pk: ISSUER_PK, sk: ISSUER_KEY_SK },
    async () => {
      const key = await createSigningKey();
      return {
        pk: ISSUER_PK,
        sk: ISSUER_KEY_SK,
        kid: key.kid,
        alg: SIGNING_ALG,
        privateKeyPem: await jose.exportPKCS8(key.privateKey),
        publicJwk: await jose.exportJWK(key.publicKey),
        createdAt: new Date().toISOString(),
      };
    },
    client,
  );
  return {
    kid: stored.kid,
    privateKey: await jose.importPKCS8(stored.privateKeyPem, SIGNING_ALG),
    publicKey: (await jose.importJWK(stored.publicJwk, SIGNING_ALG)) as jose.KeyLike,
  };
}

let localJwks: Promise<Jwks> | undefined;

/** The local issuer's public JWKS (what `GET /auth/.well-known/jwks.json` serves). */
export function getLocalJwks(tableName: string, client?: DynamoDBDocumentClient): Promise<Jwks> {
  localJwks ??= getIssuerKey(tableName, client)
    .then((key) => exportJwks(key.publicKey, key.kid))
    .catch((error: unknown) => {
      localJwks = undefined;
      throw error;
    });
  return localJwks;
}

// ---- Verification -----------------------------------------------------------------------------

export interface PersonTokenVerifierOptions {
  issuer: string;
  clientId: string;
  /** The issuer's keys: a JWKS document (local mode) or a jose key resolver (e.g. a remote JWKS). */
  keys: () => Promise<Jwks> | Promise<jose.JWTVerifyGetKey> | jose.JWTVerifyGetKey | Jwks;
  /** Tests pass a fixed time. */
  now?: () => Date;
}

/**
 * Builds a verifier; `verifyPersonToken` is the one configured from the environment. Both key
 * sources go through the shared verifier every other service uses, so identity checks tokens by the
 * same rules.
 */
export function createPersonTokenVerifier(options: PersonTokenVerifierOptions) {
  return async (token: string): Promise<Person> => {
    if (typeof token !== 'string' || token.length === 0) throw new Error('no token');
    const keys = await options.keys();
    return createSharedVerifier({
      issuer: options.issuer,
      clientId: options.clientId,
      // A remote key set (Cognito) as it is; the local issuer's JWKS document as a local key set.
      keys: typeof keys === 'function' ? keys : jose.createLocalJWKSet(keys),
      ...(options.now ? { now: options.now } : {}),
    })(token);
  };
}

let configured: ((token: string) => Promise<Person>) | undefined;

function verifierFromEnvironment(): (token: string) => Promise<Person> {
  const config = personTokenConfig();
  if (config.AUTH_MODE === 'local') {
    const tableName = config.TABLE_NAME;
    if (!tableName) throw new Error('TABLE_NAME is required in local auth mode');
    return createPersonTokenVerifier({
      issuer: config.ISSUER_URL,
      clientId: config.CLIENT_ID,
      keys: () => getLocalJwks(tableName),
    });
  }
  // Cognito publishes its keys at `${issuer}/.well-known/jwks.json`; jose caches them and refetches
  // on an unknown kid (key rotation).
  const remote = jose.createRemoteJWKSet(jwksUrlOf(config.ISSUER_URL));
  return createPersonTokenVerifier({
    issuer: config.ISSUER_URL,
    clientId: config.CLIENT_ID,
    keys: () => remote,
  });
}

/**
 * Verifies a person's id or access token (signature, RS256, issuer, audience/client id, expiry,
 * token_use) and returns who they are. Throws on anything invalid, expired, tampered or foreign.
 */
export async function verifyPersonToken(
  token: string,
): Promise<{ userId: string; email?: string; groups: string[]; tenantId?: string }> {
  configured ??= verifierFromEnvironment();
  return configured(token);
}

/** Forget cached keys and configuration (tests that change the environment or the table). */
export function resetPersonTokensForTests(): void {
  configured = undefined;
  issuerKey = undefined;
  localJwks = undefined;
  personTokenConfig.reset();
}
