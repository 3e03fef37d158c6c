/**
 * Third-party OAuth 2 connections: the authorize URL with a
 * signed, expiring state; token request bodies; token response parsing; and the refresh policy.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { RandomBytes } from './random';

export const providerNameSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase provider slug');

export interface ProviderConfig {
  /** Slug, e.g. `github`; the same value ConnectionNeedsReauth carries. */
  name: string;
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  scopes: string[];
  /** How the client secret reaches the token endpoint (RFC 6749 §2.3.1); default `client_secret_post`. */
  clientAuthMethod?: 'client_secret_post' | 'client_secret_basic';
  /** Extra authorize parameters some providers need, e.g. `{ access_type: 'offline' }` for Google. */
  authorizeParams?: Record<string, string>;
}

export function buildAuthorizeUrl(
  provider: ProviderConfig,
  params: { redirectUri: string; state: string },
): string {
  const url = new URL(provider.authorizeUrl);
  for (const [name, value] of Object.entries(provider.authorizeParams ?? {}))
    url.searchParams.set(name, value);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', provider.clientId);
  url.searchParams.set('redirect_uri', params.redirectUri);
  if (provider.scopes.length > 0) url.searchParams.set('scope', provider.scopes.join(' '));
  url.searchParams.set('state', params.state);
  return url.toString();
}

// ---- State ------------------------------------------------------------------------------------

export const STATE_TTL_MS = 10 * 60 * 1000;

const statePayloadSchema = z.strictObject({
  userId: z.string().min(1).max(128),
  tenantId: z.string().min(1).max(128),
  provider: providerNameSchema,
  nonce: z.string().min(16).max(128),
  expiresAt: z.iso.datetime(),
});
export type StatePayload = z.infer<typeof statePayloadSchema>;

export class OAuthStateError extends Error {
  constructor(readonly reason: 'malformed' | 'bad_signature' | 'expired' | 'nonce_mismatch') {
    super(`invalid OAuth state: ${reason}`);
    this.name = 'OAuthStateError';
  }
}

/** 16 random bytes as base64url, for the state's nonce. */
export function newNonce(random: RandomBytes): string {
  return Buffer.from(random(16)).toString('base64url');
}

function checkSecret(secret: string | Uint8Array): void {
  // A short key makes the HMAC guessable; 32 bytes matches SHA-256's strength.
  if (secret.length < 32) throw new RangeError('state secret must be at least 32 bytes');
}

function mac(data: string, secret: string | Uint8Array): Buffer {
  return createHmac('sha256', secret).update(data, 'utf8').digest();
}

/** State for a start URL: the seed's base64 JSON, plus an HMAC so the callback can trust it. */
export function signState(payload: StatePayload, secret: string | Uint8Array): string {
  checkSecret(secret);
  const body = Buffer.from(JSON.stringify(statePayloadSchema.parse(payload)), 'utf8').toString('base64url');
  return `${body}.${mac(body, secret).toString('base64url')}`;
}

/**
 * Throws OAuthStateError when the state was not made by `signState` with this secret (tampered or
 * forged), is malformed, or has expired. The caller still checks `provider` against the callback's.
 *
 * `expectedNonce`: the nonce the start handler also put in an HttpOnly cookie. Checking it binds the
 * callback to the browser that started the flow; without it, an attacker could send a victim their
 * own start link and have the victim's provider account linked to the attacker's user.
 */
export function verifyState(
  state: unknown,
  secret: string | Uint8Array,
  now: Date,
  options: { expectedNonce?: string } = {},
): StatePayload {
  checkSecret(secret);
  if (typeof state !== 'string' || state.length > 2048) throw new OAuthStateError('malformed');
  const parts = state.split('.');
  const [body, signature] = parts;
  if (parts.length !== 2 || !body || !signature) throw new OAuthStateError('malformed');
  const presented = Buffer.from(signature, 'base64url');
  const expected = mac(body, secret);
  // Signature first: nothing in an unauthenticated body is even parsed.
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) {
    throw new OAuthStateError('bad_signature');
  }
  let payload: StatePayload;
  try {
    payload = statePayloadSchema.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
  } catch {
    throw new OAuthStateError('malformed');
  }
  if (Date.parse(payload.expiresAt) <= now.getTime()) throw new OAuthStateError('expired');
  if (options.expectedNonce !== undefined) {
    const a = Buffer.from(options.expectedNonce, 'utf8');
    const b = Buffer.from(payload.nonce, 'utf8');
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new OAuthStateError('nonce_mismatch');
  }
  return payload;
}

// ---- Token endpoint ---------------------------------------------------------------------------

export type TokenGrant =
  | { grantType: 'authorization_code'; code: string; redirectUri: string }
  | { grantType: 'refresh_token'; refreshToken: string };

/** Form fields for the token endpoint (providers expect form encoding, not JSON). */
export function tokenRequestBody(
  provider: ProviderConfig,
  grant: TokenGrant,
  clientSecret: string,
): URLSearchParams {
  const body = new URLSearchParams({ grant_type: grant.grantType });
  if (grant.grantType === 'authorization_code') {
    body.set('code', grant.code);
    body.set('redirect_uri', grant.redirectUri);
  } else {
    body.set('refresh_token', grant.refreshToken);
  }
  if ((provider.clientAuthMethod ?? 'client_secret_post') === 'client_secret_post') {
    body.set('client_id', provider.clientId);
    body.set('client_secret', clientSecret);
  }
  return body;
}

export interface TokenHttpRequest {
  method: 'POST';
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** The whole HTTP request, so the adapter only sends it. */
export function tokenRequest(
  provider: ProviderConfig,
  grant: TokenGrant,
  clientSecret: string,
): TokenHttpRequest {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  if (provider.clientAuthMethod === 'client_secret_basic') {
    // RFC 6749 §2.3.1: form-encode each part before joining, then base64.
    const user = encodeURIComponent(provider.clientId);
    const pass = encodeURIComponent(clientSecret);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  return {
    method: 'POST',
    url: provider.tokenUrl,
    headers,
    body: tokenRequestBody(provider, grant, clientSecret).toString(),
  };
}

export class OAuthTokenError extends Error {
  constructor(
    /** The provider's `error` code (`invalid_grant`...) or `invalid_response` when the body made no sense. */
    readonly error: string,
    readonly description?: string,
  ) {
    super(description ? `${error}: ${description}` : error);
    this.name = 'OAuthTokenError';
  }
}

const tokenSuccessSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  refresh_token: z.string().min(1).optional(),
  // Some providers send a numeric string.
  expires_in: z.coerce.number().int().positive().optional(),
  scope: z.string().optional(),
});

const tokenErrorSchema = z.object({ error: z.string().min(1), error_description: z.string().optional() });

export interface ProviderTokens {
  accessToken: string;
  refreshToken?: string;
  /** Absent when the provider's tokens do not expire (no `expires_in`). */
  expiresAt?: string;
  scope?: string;
}

/** Parses a token endpoint's JSON; throws OAuthTokenError for an OAuth error or a malformed body. */
export function parseTokenResponse(json: unknown, now: Date): ProviderTokens {
  const failure = tokenErrorSchema.safeParse(json);
  if (failure.success) throw new OAuthTokenError(failure.data.error, failure.data.error_description);
  const parsed = tokenSuccessSchema.safeParse(json);
  if (!parsed.success)
    throw new OAuthTokenError('invalid_response', 'token response has no usable access_token');
  if (parsed.data.token_type && parsed.data.token_type.toLowerCase() !== 'bearer') {
    throw new OAuthTokenError('invalid_response', `unsupported token_type ${parsed.data.token_type}`);
  }
  const { access_token, refresh_token, expires_in, scope } = parsed.data;
  return {
    accessToken: access_token,
    ...(refresh_token === undefined ? {} : { refreshToken: refresh_token }),
    ...(expires_in === undefined
      ? {}
      : { expiresAt: new Date(now.getTime() + expires_in * 1000).toISOString() }),
    ...(scope === undefined ? {} : { scope }),
  };
}

/**
 * The tokens to store after a refresh. Refresh tokens may be single-use (some providers rotate them), so a
 * new one always replaces the old; a provider that sends none keeps the old one valid.
 */
export function mergeRefreshedTokens(previous: ProviderTokens, refreshed: ProviderTokens): ProviderTokens {
  const refreshToken = refreshed.refreshToken ?? previous.refreshToken;
  return { ...refreshed, ...(refreshToken === undefined ? {} : { refreshToken }) };
}

// ---- Connections and refresh ------------------------------------------------------------------

export const CONNECTION_STATUSES = ['connected', 'needs_reauth', 'disconnected'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** The connection record; the tokens themselves live encrypted behind the token store. */
export interface Connection {
  userId: string;
  tenantId: string;
  provider: string;
  status: ConnectionStatus;
  expiresAt?: string;
  connectedAt: string;
  updatedAt: string;
}

export const REFRESH_WINDOW_MS = 12 * 60 * 60 * 1000;

/**
 * Due for refresh when connected and expiring within the window. The job runs every 12 hours with a
 * 12-hour window, so every token is refreshed by the run before it would expire.
 */
export function needsRefresh(
  connection: Pick<Connection, 'status' | 'expiresAt'>,
  now: Date,
  windowMs: number = REFRESH_WINDOW_MS,
): boolean {
  if (connection.status !== 'connected' || connection.expiresAt === undefined) return false;
  return Date.parse(connection.expiresAt) <= now.getTime() + windowMs;
}

export type RefreshFailure = { httpStatus?: number; oauthError?: string };

/**
 * A provider saying the grant is bad (4xx / OAuth error) cannot be fixed by retrying: the user must
 * reconnect. A 5xx or network failure is worth one more try; if that also fails, or the token is
 * already expired, the job marks the connection for reauthorisation anyway.
 */
export function classifyRefreshFailure(failure: RefreshFailure): 'reauth' | 'retry' {
  if (
    failure.oauthError &&
    failure.oauthError !== 'temporarily_unavailable' &&
    failure.oauthError !== 'server_error'
  ) {
    return 'reauth';
  }
  if (
    failure.httpStatus !== undefined &&
    failure.httpStatus >= 400 &&
    failure.httpStatus < 500 &&
    failure.httpStatus !== 429
  ) {
    return 'reauth';
  }
  return 'retry';
}

export function markConnected(
  connection: Omit<Connection, 'status' | 'expiresAt' | 'updatedAt' | 'connectedAt'> & Partial<Connection>,
  tokens: ProviderTokens,
  now: Date,
): Connection {
  return {
    userId: connection.userId,
    tenantId: connection.tenantId,
    provider: connection.provider,
    status: 'connected',
    ...(tokens.expiresAt === undefined ? {} : { expiresAt: tokens.expiresAt }),
    connectedAt: connection.connectedAt ?? now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

export function markNeedsReauth(connection: Connection, now: Date): Connection {
  return { ...connection, status: 'needs_reauth', updatedAt: now.toISOString() };
}
