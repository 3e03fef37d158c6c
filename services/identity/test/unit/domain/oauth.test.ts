import { createHmac } from 'node:crypto';
import type { Connection, ProviderConfig, StatePayload } from '../../../src/domain/oauth';
import {
  OAuthStateError,
  OAuthTokenError,
  buildAuthorizeUrl,
  classifyRefreshFailure,
  markConnected,
  markNeedsReauth,
  mergeRefreshedTokens,
  needsRefresh,
  newNonce,
  parseTokenResponse,
  signState,
  tokenRequest,
  tokenRequestBody,
  verifyState,
} from '../../../src/domain/oauth';
import { NOW, at, minutes, seededRandom } from './fixtures';

const SECRET = 'state-secret-for-tests-0123456789abcdef';
const HOURS = 60 * 60 * 1000;

const provider: ProviderConfig = {
  name: 'acme-crm',
  authorizeUrl: 'https://crm.example.com/oauth/authorize?tenant=x',
  tokenUrl: 'https://crm.example.com/oauth/token',
  clientId: 'client id/1',
  scopes: ['people:read', 'lists:write'],
};

const payload = (overrides: Partial<StatePayload> = {}): StatePayload => ({
  userId: 'usr_1',
  tenantId: 'ten_1',
  provider: 'acme-crm',
  nonce: newNonce(seededRandom('nonce')),
  expiresAt: at(NOW, minutes(10)).toISOString(),
  ...overrides,
});

describe('buildAuthorizeUrl', () => {
  it('adds the standard parameters, encoded, and keeps the URL’s own', () => {
    const url = new URL(
      buildAuthorizeUrl(provider, { redirectUri: 'https://api.example.com/cb?x=1', state: 'a.b' }),
    );
    expect(url.origin + url.pathname).toBe('https://crm.example.com/oauth/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: 'x',
      response_type: 'code',
      client_id: 'client id/1',
      redirect_uri: 'https://api.example.com/cb?x=1',
      scope: 'people:read lists:write',
      state: 'a.b',
    });
  });

  it('passes provider-specific parameters but never lets them override the standard ones', () => {
    const url = new URL(
      buildAuthorizeUrl(
        { ...provider, scopes: [], authorizeParams: { access_type: 'offline', client_id: 'evil' } },
        { redirectUri: 'https://api.example.com/cb', state: 's' },
      ),
    );
    expect(url.searchParams.get('access_type')).toBe('offline');
    expect(url.searchParams.getAll('client_id')).toEqual(['client id/1']);
    expect(url.searchParams.has('scope')).toBe(false);
  });
});

describe('state', () => {
  it('round-trips', () => {
    const state = signState(payload(), SECRET);
    expect(state).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyState(state, SECRET, NOW)).toEqual(payload());
  });

  const reasonOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return error instanceof OAuthStateError ? error.reason : `unexpected ${String(error)}`;
    }
    return 'no error';
  };

  it('rejects a tampered payload', () => {
    const [, signature] = signState(payload(), SECRET).split('.');
    const forged = Buffer.from(JSON.stringify(payload({ userId: 'usr_attacker' }))).toString('base64url');
    expect(reasonOf(() => verifyState(`${forged}.${signature}`, SECRET, NOW))).toBe('bad_signature');
  });

  it('rejects a state signed with another secret', () => {
    const state = signState(payload(), `${SECRET}-other`);
    expect(reasonOf(() => verifyState(state, SECRET, NOW))).toBe('bad_signature');
  });

  it('rejects an expired state, at the exact expiry', () => {
    const state = signState(payload(), SECRET);
    expect(verifyState(state, SECRET, at(NOW, minutes(10) - 1)).userId).toBe('usr_1');
    expect(reasonOf(() => verifyState(state, SECRET, at(NOW, minutes(10))))).toBe('expired');
  });

  it('binds the state to the browser that started the flow when given the cookie nonce', () => {
    const state = signState(payload(), SECRET);
    expect(verifyState(state, SECRET, NOW, { expectedNonce: payload().nonce }).userId).toBe('usr_1');
    expect(reasonOf(() => verifyState(state, SECRET, NOW, { expectedNonce: 'x'.repeat(22) }))).toBe(
      'nonce_mismatch',
    );
    expect(reasonOf(() => verifyState(state, SECRET, NOW, { expectedNonce: '' }))).toBe('nonce_mismatch');
  });

  it.each([
    ['not a string', 42],
    ['no signature', 'abc'],
    ['three parts', 'a.b.c'],
    ['empty signature', 'abc.'],
  ])('rejects a malformed state (%s)', (_label, state) => {
    expect(reasonOf(() => verifyState(state, SECRET, NOW))).toBe('malformed');
  });

  it('rejects a correctly signed body that is not a state payload', () => {
    const body = Buffer.from(JSON.stringify({ userId: 'usr_1' })).toString('base64url');
    const signature = createHmac('sha256', SECRET).update(body).digest('base64url');
    expect(reasonOf(() => verifyState(`${body}.${signature}`, SECRET, NOW))).toBe('malformed');
  });

  it('refuses to sign an invalid payload or with a short secret', () => {
    expect(() => signState(payload({ provider: 'Not A Slug' }), SECRET)).toThrow();
    expect(() => signState(payload(), 'short')).toThrow(RangeError);
    expect(() => verifyState('a.b', 'short', NOW)).toThrow(RangeError);
  });
});

describe('token requests', () => {
  it('form-encodes an authorization_code exchange with the client secret in the body', () => {
    const body = tokenRequestBody(
      provider,
      { grantType: 'authorization_code', code: 'c&d=e', redirectUri: 'https://api.example.com/cb' },
      's3cret',
    );
    expect(Object.fromEntries(body)).toEqual({
      grant_type: 'authorization_code',
      code: 'c&d=e',
      redirect_uri: 'https://api.example.com/cb',
      client_id: 'client id/1',
      client_secret: 's3cret',
    });
    expect(body.toString()).toContain('code=c%26d%3De');
  });

  it('builds a refresh_token request', () => {
    const request = tokenRequest(provider, { grantType: 'refresh_token', refreshToken: 'rt-1' }, 's3cret');
    expect(request).toEqual({
      method: 'POST',
      url: 'https://crm.example.com/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'grant_type=refresh_token&refresh_token=rt-1&client_id=client+id%2F1&client_secret=s3cret',
    });
  });

  it('uses HTTP Basic instead when the provider wants client_secret_basic', () => {
    const request = tokenRequest(
      { ...provider, clientAuthMethod: 'client_secret_basic' },
      { grantType: 'refresh_token', refreshToken: 'rt-1' },
      'p:ss',
    );
    expect(request.body).toBe('grant_type=refresh_token&refresh_token=rt-1');
    const decoded = Buffer.from(
      request.headers.authorization?.replace('Basic ', '') ?? '',
      'base64',
    ).toString();
    expect(decoded).toBe('client%20id%2F1:p%3Ass');
  });
});

describe('parseTokenResponse', () => {
  it('computes the expiry from expires_in', () => {
    expect(
      parseTokenResponse(
        {
          access_token: 'at',
          refresh_token: 'rt',
          expires_in: 3600,
          token_type: 'Bearer',
          scope: 'people:read',
        },
        NOW,
      ),
    ).toEqual({
      accessToken: 'at',
      refreshToken: 'rt',
      expiresAt: '2025-06-01T13:00:00.000Z',
      scope: 'people:read',
    });
  });

  it('accepts expires_in as a numeric string and a missing refresh token', () => {
    expect(parseTokenResponse({ access_token: 'at', expires_in: '60', token_type: 'bearer' }, NOW)).toEqual({
      accessToken: 'at',
      expiresAt: '2025-06-01T12:01:00.000Z',
    });
  });

  it('leaves expiresAt out for tokens that do not expire', () => {
    expect(parseTokenResponse({ access_token: 'at' }, NOW)).toEqual({ accessToken: 'at' });
  });

  it('turns an OAuth error body into OAuthTokenError with its code', () => {
    let caught: unknown;
    try {
      parseTokenResponse({ error: 'invalid_grant', error_description: 'refresh token already used' }, NOW);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(OAuthTokenError);
    expect(caught).toMatchObject({ error: 'invalid_grant', description: 'refresh token already used' });
  });

  it.each([
    ['null', null],
    ['an empty object', {}],
    ['an empty access token', { access_token: '' }],
    ['a negative expiry', { access_token: 'at', expires_in: -5 }],
    ['a non-numeric expiry', { access_token: 'at', expires_in: 'soon' }],
    ['a MAC token type', { access_token: 'at', token_type: 'mac' }],
  ])('rejects %s as invalid_response', (_label, json) => {
    expect(() => parseTokenResponse(json, NOW)).toThrow(
      expect.objectContaining({ error: 'invalid_response' }),
    );
  });
});

describe('mergeRefreshedTokens', () => {
  it('replaces a single-use refresh token with the new one', () => {
    expect(
      mergeRefreshedTokens(
        { accessToken: 'a1', refreshToken: 'r1' },
        { accessToken: 'a2', refreshToken: 'r2' },
      ),
    ).toEqual({ accessToken: 'a2', refreshToken: 'r2' });
  });

  it('keeps the old refresh token when the provider sends none', () => {
    expect(
      mergeRefreshedTokens(
        { accessToken: 'a1', refreshToken: 'r1', expiresAt: 'old' },
        { accessToken: 'a2', expiresAt: 'new' },
      ),
    ).toEqual({ accessToken: 'a2', refreshToken: 'r1', expiresAt: 'new' });
  });
});

describe('refresh policy', () => {
  const connection = (hoursLeft: number | undefined, status: Connection['status'] = 'connected') => ({
    status,
    ...(hoursLeft === undefined ? {} : { expiresAt: at(NOW, hoursLeft * HOURS).toISOString() }),
  });

  it('refreshes connected tokens expiring within 12 hours, including already expired ones', () => {
    expect(needsRefresh(connection(11), NOW)).toBe(true);
    expect(needsRefresh(connection(12), NOW)).toBe(true);
    expect(needsRefresh(connection(-1), NOW)).toBe(true);
    expect(needsRefresh(connection(13), NOW)).toBe(false);
  });

  it('skips connections that need reauthorisation, are disconnected or never expire', () => {
    expect(needsRefresh(connection(1, 'needs_reauth'), NOW)).toBe(false);
    expect(needsRefresh(connection(1, 'disconnected'), NOW)).toBe(false);
    expect(needsRefresh(connection(undefined), NOW)).toBe(false);
  });

  it('honours a custom window', () => {
    expect(needsRefresh(connection(2), NOW, 1 * HOURS)).toBe(false);
    expect(needsRefresh(connection(2), NOW, 3 * HOURS)).toBe(true);
  });

  it.each([
    [{ oauthError: 'invalid_grant', httpStatus: 400 }, 'reauth'],
    [{ oauthError: 'invalid_client' }, 'reauth'],
    [{ httpStatus: 401 }, 'reauth'],
    [{ oauthError: 'temporarily_unavailable', httpStatus: 503 }, 'retry'],
    [{ httpStatus: 500 }, 'retry'],
    [{ httpStatus: 429 }, 'retry'],
    [{}, 'retry'],
  ] as const)('classifies %p as %s', (failure, expected) => {
    expect(classifyRefreshFailure(failure)).toBe(expected);
  });
});

describe('connection records', () => {
  it('marks a connection connected with the token expiry, keeping the first connectedAt', () => {
    const first = markConnected(
      { userId: 'usr_1', tenantId: 'ten_1', provider: 'acme-crm' },
      { accessToken: 'a', expiresAt: '2025-06-01T13:00:00.000Z' },
      NOW,
    );
    expect(first).toEqual({
      userId: 'usr_1',
      tenantId: 'ten_1',
      provider: 'acme-crm',
      status: 'connected',
      expiresAt: '2025-06-01T13:00:00.000Z',
      connectedAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    const later = at(NOW, 12 * HOURS);
    const refreshed = markConnected(markNeedsReauth(first, NOW), { accessToken: 'b' }, later);
    expect(refreshed).toMatchObject({
      status: 'connected',
      connectedAt: NOW.toISOString(),
      updatedAt: later.toISOString(),
    });
    expect(refreshed).not.toHaveProperty('expiresAt');
  });

  it('marks a connection as needing reauthorisation', () => {
    const connected = markConnected({ userId: 'u', tenantId: 't', provider: 'p' }, { accessToken: 'a' }, NOW);
    expect(markNeedsReauth(connected, at(NOW, 1))).toMatchObject({
      status: 'needs_reauth',
      updatedAt: at(NOW, 1).toISOString(),
    });
  });
});
