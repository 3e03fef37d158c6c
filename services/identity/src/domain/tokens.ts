/**
 * JWTs for the local Cognito-compatible issuer. RS256 and Cognito's claim names, so the same JWT
 * authorizer configuration and the same handler code accept tokens from Cognito on AWS and from
 * this issuer locally.
 */
// jose 5, not 6: 6 is ESM-only, which jest (CommonJS) cannot load untransformed.
import * as jose from 'jose';
import type { RandomBytes } from './random';

export const SIGNING_ALG = 'RS256';
/** Cognito's default access-token scope for users who signed in through its own flows. */
export const DEFAULT_ACCESS_SCOPE = 'aws.cognito.signin.user.admin';
/**
 * How long id and access tokens last: 15 minutes. Services verify them on their own (no call to
 * identity), so a suspended or removed person keeps a token that works until it expires; refresh
 * tokens keep sessions long, so tokens can be short.
 */
export const DEFAULT_TTL_SECONDS = 900;

export interface SigningKey {
  kid: string;
  privateKey: jose.KeyLike;
  publicKey: jose.KeyLike;
}

/** A fresh RSA-2048 key pair; its kid is the RFC 7638 thumbprint, so the same key always has the same kid. */
export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await jose.generateKeyPair(SIGNING_ALG, {
    modulusLength: 2048,
    extractable: true,
  });
  const kid = await jose.calculateJwkThumbprint(await jose.exportJWK(publicKey));
  return { kid, privateKey, publicKey };
}

export interface Jwks {
  keys: jose.JWK[];
}

/** The document served at `${issuer}/.well-known/jwks.json` (the shape Cognito serves). */
export async function exportJwks(publicKey: jose.KeyLike, kid: string): Promise<Jwks> {
  const jwk = await jose.exportJWK(publicKey);
  if (jwk.d !== undefined) throw new TypeError('exportJwks was given a private key');
  return { keys: [{ kty: jwk.kty, e: jwk.e, n: jwk.n, kid, alg: SIGNING_ALG, use: 'sig' }] };
}

export interface TokenUser {
  userId: string;
  email: string;
  emailVerified: boolean;
  groups: string[];
  tenantId: string;
}

export interface IssueTokensInput {
  user: TokenUser;
  issuer: string;
  clientId: string;
  key: SigningKey;
  now: Date;
  /** For the jti claims. */
  random: RandomBytes;
  ttlSeconds?: number;
  /** When the user actually authenticated; defaults to `now` (a fresh sign-in). */
  authTime?: Date;
  scope?: string;
}

export interface IssuedTokens {
  idToken: string;
  accessToken: string;
  /** Seconds, as in Cognito's `AuthenticationResult.ExpiresIn`. */
  expiresIn: number;
  tokenType: 'Bearer';
}

function uuidV4(random: RandomBytes): string {
  const bytes = Buffer.from(random(16));
  if (bytes.length !== 16) throw new RangeError(`random source returned ${bytes.length} bytes`);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The id token identifies the person to the client (aud = client id); the access token authorizes
 * API calls (Cognito puts the client in `client_id` and has no `aud`). `custom:tenantId` is how a
 * Cognito custom attribute appears in the id token; on AWS the access token gets it from a
 * pre-token-generation (V2) trigger, here it is added directly.
 */
export async function issueTokens(input: IssueTokensInput): Promise<IssuedTokens> {
  const ttl = input.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > 86_400) throw new RangeError('ttlSeconds must be 1–86400');
  const iat = Math.floor(input.now.getTime() / 1000);
  const authTime = Math.floor((input.authTime ?? input.now).getTime() / 1000);
  const exp = iat + ttl;
  const header = { alg: SIGNING_ALG, kid: input.key.kid };
  const { user } = input;
  const originJti = uuidV4(input.random);

  const idToken = await new jose.SignJWT({
    email: user.email,
    email_verified: user.emailVerified,
    'cognito:groups': user.groups,
    'cognito:username': user.userId,
    'custom:tenantId': user.tenantId,
    token_use: 'id',
    auth_time: authTime,
    origin_jti: originJti,
  })
    .setProtectedHeader(header)
    .setSubject(user.userId)
    .setIssuer(input.issuer)
    .setAudience(input.clientId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(uuidV4(input.random))
    .sign(input.key.privateKey);

  const accessToken = await new jose.SignJWT({
    'cognito:groups': user.groups,
    client_id: input.clientId,
    username: user.userId,
    'custom:tenantId': user.tenantId,
    token_use: 'access',
    scope: input.scope ?? DEFAULT_ACCESS_SCOPE,
    auth_time: authTime,
    origin_jti: originJti,
  })
    .setProtectedHeader(header)
    .setSubject(user.userId)
    .setIssuer(input.issuer)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(uuidV4(input.random))
    .sign(input.key.privateKey);

  return { idToken, accessToken, expiresIn: ttl, tokenType: 'Bearer' };
}
