import * as jose from 'jose';
import type { SigningKey, TokenUser } from '../../../src/domain/tokens';
import { createSigningKey, exportJwks, issueTokens } from '../../../src/domain/tokens';
import { NOW, at, seededRandom } from './fixtures';

const ISSUER = 'http://localhost:4000/local_pool';
const CLIENT_ID = 'switchyard-web';
const USER: TokenUser = {
  userId: 'usr_01HZZZZZZZZZZZZZZZZZZZZZZZ',
  email: 'ann@example.com',
  emailVerified: true,
  groups: ['Admins'],
  tenantId: 'ten_01HZZZZZZZZZZZZZZZZZZZZZZZ',
};

let key: SigningKey;
let foreignKey: SigningKey;

beforeAll(async () => {
  [key, foreignKey] = await Promise.all([createSigningKey(), createSigningKey()]);
});

const issue = (overrides: Partial<Parameters<typeof issueTokens>[0]> = {}) =>
  issueTokens({
    user: USER,
    issuer: ISSUER,
    clientId: CLIENT_ID,
    key,
    now: NOW,
    random: seededRandom('jti'),
    ttlSeconds: 3600,
    ...overrides,
  });

describe('signing keys and JWKS', () => {
  it('publishes only the public RSA parts, with kid, alg and use', async () => {
    const jwks = await exportJwks(key.publicKey, key.kid);
    expect(jwks.keys).toHaveLength(1);
    const [jwk] = jwks.keys;
    expect(jwk).toEqual({
      kty: 'RSA',
      e: 'AQAB',
      n: expect.any(String),
      kid: key.kid,
      alg: 'RS256',
      use: 'sig',
    });
    expect(jwk).not.toHaveProperty('d');
  });

  it('refuses to publish a private key', async () => {
    await expect(exportJwks(key.privateKey, key.kid)).rejects.toThrow(/private key/);
  });

  it('gives distinct keys distinct kids', () => {
    expect(key.kid).not.toBe(foreignKey.kid);
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});

describe('issueTokens', () => {
  it('issues an id token with Cognito claims', async () => {
    const tokens = await issue();
    expect(tokens.expiresIn).toBe(3600);
    expect(jose.decodeProtectedHeader(tokens.idToken)).toEqual({ alg: 'RS256', kid: key.kid });
    const iat = NOW.getTime() / 1000;
    expect(jose.decodeJwt(tokens.idToken)).toEqual({
      sub: USER.userId,
      email: USER.email,
      email_verified: true,
      'cognito:groups': ['Admins'],
      'cognito:username': USER.userId,
      'custom:tenantId': USER.tenantId,
      aud: CLIENT_ID,
      iss: ISSUER,
      token_use: 'id',
      auth_time: iat,
      iat,
      exp: iat + 3600,
      jti: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      origin_jti: expect.any(String),
    });
  });

  it('issues an access token with Cognito claims and no aud', async () => {
    const tokens = await issue({ authTime: at(NOW, -60_000) });
    const claims = jose.decodeJwt(tokens.accessToken);
    const iat = NOW.getTime() / 1000;
    expect(claims).toEqual({
      sub: USER.userId,
      'cognito:groups': ['Admins'],
      'custom:tenantId': USER.tenantId,
      client_id: CLIENT_ID,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      iss: ISSUER,
      iat,
      exp: iat + 3600,
      auth_time: iat - 60,
      jti: expect.any(String),
      origin_jti: jose.decodeJwt(tokens.idToken).origin_jti,
      username: USER.userId,
    });
    expect(claims.jti).not.toBe(jose.decodeJwt(tokens.idToken).jti);
  });

  it.each([0, -1, 1.5, 86_401])('refuses a ttl of %p seconds', async (ttlSeconds) => {
    await expect(issue({ ttlSeconds })).rejects.toThrow(RangeError);
  });
});
