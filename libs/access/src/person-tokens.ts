/**
 * People's JWTs (Cognito on AWS, identity's Cognito-compatible issuer locally), verified by any
 * service that lets a person act: signature (RS256, the issuer's JWKS), issuer, expiry, `token_use`
 * and the client the token was issued to (an id token's `aud`, an access token's `client_id`).
 *
 * Both tokens carry `custom:tenantId` (identity's local issuer, and on AWS the user pool's
 * pre-token-generation trigger), so a service can authorise a person from the access token alone:
 * who (`username`), which tenant, which groups.
 */
// jose 5, not 6: 6 is ESM-only, which jest (CommonJS) cannot load untransformed.
import * as jose from 'jose';

export const PERSON_TOKEN_ALG = 'RS256';
/** The group whose members administer their tenant. */
export const ADMINS_GROUP = 'Admins';

/** What a verified person's token says about them. */
export interface Person {
  /** Our user id (`usr_…`): `cognito:username` in id tokens, `username` in access tokens. */
  userId: string;
  email?: string;
  groups: string[];
  tenantId?: string;
}

/**
 * Maps verified claims (from a verifier below, or from the HTTP API JWT authorizer's
 * `requestContext.authorizer.jwt.claims`) to a person. Cognito's `sub` is its own UUID, so our user
 * id is the Cognito username; locally `sub`, `cognito:username` and `username` are all the user id.
 * The authorizer hands array claims over as a string like `[Admins Viewers]`, which is parsed too.
 */
export function personFromClaims(claims: Record<string, unknown>): Person {
  const userId = [claims['cognito:username'], claims.username, claims.sub].find(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  if (!userId) throw new Error('token has no subject');
  const person: Person = { userId, groups: parseGroups(claims['cognito:groups']) };
  if (typeof claims.email === 'string') person.email = claims.email;
  if (typeof claims['custom:tenantId'] === 'string' && claims['custom:tenantId'] !== '') {
    person.tenantId = claims['custom:tenantId'];
  }
  return person;
}

function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value === 'string') {
    const trimmed = value.trim().replace(/^\[/, '').replace(/\]$/, '');
    return trimmed.split(/[\s,]+/).filter((g) => g.length > 0);
  }
  return [];
}

/** Where an OIDC issuer (Cognito included) publishes its keys. */
export function jwksUrlOf(issuer: string): URL {
  return new URL(`${issuer.replace(/\/$/, '')}/.well-known/jwks.json`);
}

/** identity's Cognito-compatible issuer on the local cloud (`https://auth.switchyard.local/<stage>`). */
export const LOCAL_ISSUER_PREFIX = 'https://auth.switchyard.local/';

/**
 * Where a service fetches the issuer's keys. The local issuer's name resolves nowhere: the local
 * cloud serves its keys through its own API, whose URL it gives functions as
 * SWITCHYARD_LOCAL_API_URL (never set on AWS).
 */
export function issuerJwksUrl(issuer: string, env: Record<string, string | undefined> = process.env): URL {
  const localApi = env.SWITCHYARD_LOCAL_API_URL;
  if (issuer.startsWith(LOCAL_ISSUER_PREFIX) && localApi) {
    return new URL(`${localApi.replace(/\/$/, '')}/auth/.well-known/jwks.json`);
  }
  return jwksUrlOf(issuer);
}

/** A JWT's shape (three base64url parts): tells a person's token from an API key. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/**
 * Whether a token was issued to `clientId`, where Cognito says so for its kind: an id token in `aud`
 * (the client it identifies the person to), an access token in `client_id` (it has no `aud`).
 */
export function isForClient(claims: Record<string, unknown>, clientId: string): boolean {
  if (claims.token_use === 'access') return claims.client_id === clientId;
  const aud = claims.aud;
  return claims.token_use === 'id' && (Array.isArray(aud) ? aud.includes(clientId) : aud === clientId);
}

/** How far in the future a token's `iat` may be (clocks differ a little, never by minutes). */
export const IAT_SKEW_SECONDS = 60;

/**
 * Why a person's token whose signature, issuer and (if present) `exp` were verified is still refused,
 * or undefined. One function for every place a person's token is checked (the services' verifier and
 * the local cloud's HTTP API JWT authorizer), so the gateway refuses exactly what the services refuse:
 * a token without `sub`, `exp` or `iat` (a token that never expires is not one we issue), a
 * `token_use` other than id or access, or an `iat` further in the future than the skew.
 */
export function personClaimsProblem(claims: Record<string, unknown>, now: Date): string | undefined {
  for (const claim of ['sub', 'exp', 'iat', 'token_use']) {
    if (claims[claim] === undefined) return `missing "${claim}" claim`;
  }
  if (typeof claims.exp !== 'number' || typeof claims.iat !== 'number') return 'exp and iat must be numbers';
  if (claims.token_use !== 'id' && claims.token_use !== 'access') return 'not an id or access token';
  if (claims.iat > now.getTime() / 1000 + IAT_SKEW_SECONDS) return 'issued in the future';
  return undefined;
}

export interface PersonTokenVerifierOptions {
  issuer: string;
  clientId: string;
  /** The issuer's keys, e.g. `jose.createRemoteJWKSet(jwksUrlOf(issuer))` (cached, refetched on an unknown kid). */
  keys: jose.JWTVerifyGetKey;
  /** Tests pass a fixed time. */
  now?: () => Date;
}

/** Verifies an id or access token and returns who it is; throws on anything invalid, expired or foreign. */
export function createPersonTokenVerifier(
  options: PersonTokenVerifierOptions,
): (token: string) => Promise<Person> {
  return async (token) => {
    if (typeof token !== 'string' || token.length === 0) throw new Error('no token');
    const now = options.now?.();
    const { payload } = await jose.jwtVerify(token, options.keys, {
      issuer: options.issuer,
      algorithms: [PERSON_TOKEN_ALG],
      ...(now ? { currentDate: now } : {}),
    });
    const problem = personClaimsProblem(payload, now ?? new Date());
    if (problem) throw new Error(problem);
    if (!isForClient(payload, options.clientId))
      throw new Error(`token is not for client ${options.clientId}`);
    return personFromClaims(payload);
  };
}
