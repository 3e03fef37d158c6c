/**
 * The HTTP API JWT authorizer: verifies a bearer token against the issuer's JWKS (signature,
 * exp/nbf, iss) and the audience (`aud`, or Cognito access tokens' `client_id`), then exposes the
 * claims the way API Gateway does (every claim as a string). It also refuses what the services'
 * own check of a person's token refuses (`personClaimsProblem`), so local answers match the services'.
 */
// jose 5, not 6: 6 is ESM-only, which jest (CommonJS, Node < 24.9) cannot load untransformed.
import * as jose from 'jose';
// The file alone (it needs only jose), not the package's index with its AWS clients.
import { personClaimsProblem } from '@switchyard/access/src/person-tokens';

export interface JwtAuthorizerConfig {
  issuer: string;
  audience: string[];
  identitySource: string[];
  /** Route's AuthorizationScopes: the token needs at least one of them. */
  scopes?: string[];
}

export type KeySource = jose.JWTVerifyGetKey;

/** Maps an issuer to where its keys are; default `${issuer}/.well-known/jwks.json`. */
export type JwksLocator = (issuer: string) => URL | KeySource;

export type AuthorizationOutcome =
  | { ok: true; claims: Record<string, string>; scopes: string[] | null }
  | { ok: false; statusCode: 401 | 403; reason: string };

export class JwtAuthorizer {
  private readonly keySets = new Map<string, KeySource>();

  constructor(
    private readonly locate: JwksLocator = (issuer) =>
      new URL(`${issuer.replace(/\/$/, '')}/.well-known/jwks.json`),
  ) {}

  private keysFor(issuer: string): KeySource {
    let keys = this.keySets.get(issuer);
    if (!keys) {
      const location = this.locate(issuer);
      keys = location instanceof URL ? jose.createRemoteJWKSet(location) : location;
      this.keySets.set(issuer, keys);
    }
    return keys;
  }

  async authorize(
    config: JwtAuthorizerConfig,
    headers: Record<string, string>,
    query: Record<string, string> = {},
  ): Promise<AuthorizationOutcome> {
    const raw = identityValue(config.identitySource, headers, query);
    if (!raw) return { ok: false, statusCode: 401, reason: 'no token in the identity source' };
    const token = raw.replace(/^Bearer\s+/i, '').trim();
    let payload: jose.JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, this.keysFor(config.issuer), { issuer: config.issuer }));
    } catch (err) {
      return { ok: false, statusCode: 401, reason: (err as Error).message };
    }
    // The platform's authorizers only ever see people's tokens: refuse what every service refuses.
    const problem = personClaimsProblem(payload, new Date());
    if (problem) return { ok: false, statusCode: 401, reason: problem };
    const audiences = [
      ...(Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : []),
      ...(typeof payload.client_id === 'string' ? [payload.client_id] : []),
    ];
    if (config.audience.length > 0 && !audiences.some((a) => config.audience.includes(a))) {
      return {
        ok: false,
        statusCode: 401,
        reason: `audience ${JSON.stringify(audiences)} not in ${JSON.stringify(config.audience)}`,
      };
    }
    const scopeClaim = payload.scope ?? payload.scp;
    const scopes = Array.isArray(scopeClaim)
      ? scopeClaim.map(String)
      : typeof scopeClaim === 'string' && scopeClaim !== ''
        ? scopeClaim.split(' ')
        : null;
    if (config.scopes && config.scopes.length > 0 && !config.scopes.some((s) => scopes?.includes(s))) {
      return { ok: false, statusCode: 403, reason: `token lacks scopes ${config.scopes.join(' ')}` };
    }
    return { ok: true, claims: stringClaims(payload), scopes };
  }
}

function identityValue(
  sources: string[],
  headers: Record<string, string>,
  query: Record<string, string>,
): string | undefined {
  for (const source of sources) {
    const header = /^\$request\.header\.(.+)$/i.exec(source);
    if (header?.[1]) {
      const value = headers[header[1].toLowerCase()];
      if (value) return value;
    }
    const param = /^\$request\.querystring\.(.+)$/i.exec(source);
    if (param?.[1] && query[param[1]]) return query[param[1]];
  }
  return undefined;
}

/** API Gateway hands claims to the function as strings; arrays look like `[a b]`. */
export function stringClaims(payload: Record<string, unknown>): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (typeof value === 'string') claims[key] = value;
    else if (Array.isArray(value)) claims[key] = `[${value.map(String).join(' ')}]`;
    else if (value !== null && typeof value === 'object') claims[key] = JSON.stringify(value);
    else claims[key] = String(value);
  }
  return claims;
}
