import * as jose from 'jose';
import { createPersonTokenVerifier } from '../../../src/adapters/person-tokens';
import type { Jwks, SigningKey, TokenUser } from '../../../src/domain/tokens';
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

/** identity's verifier over the local issuer's JWKS, at a given time. */
const verifyToken = (token: string, jwks: Jwks, options: { issuer: string; audience: string; now: Date }) =>
  createPersonTokenVerifier({
    issuer: options.issuer,
    clientId: options.audience,
    keys: () => jwks,
    now: () => options.now,
  })(token);

// Moved from the domain's verifyToken (identity now verifies local tokens with the shared verifier
// of @switchyard/access, over the local issuer's JWKS).
describe('the rules local tokens are verified by', () => {
  const options = { issuer: ISSUER, audience: CLIENT_ID, now: at(NOW, 60_000) };

  it('accepts both tokens', async () => {
    const tokens = await issue();
    const jwks = await exportJwks(key.publicKey, key.kid);
    expect((await verifyToken(tokens.idToken, jwks, options)).email).toBe(USER.email);
    expect((await verifyToken(tokens.accessToken, jwks, options)).userId).toBe(USER.userId);
  });

  it('rejects a tampered token', async () => {
    const { accessToken } = await issue();
    const [header, payload, signature] = accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString());
    const forged = Buffer.from(
      JSON.stringify({ ...claims, 'cognito:groups': ['Admins', 'Operators'] }),
    ).toString('base64url');
    const jwks = await exportJwks(key.publicKey, key.kid);
    await expect(verifyToken(`${header}.${forged}.${signature}`, jwks, options)).rejects.toThrow(/signature/);
  });

  it('rejects an expired token', async () => {
    const { idToken } = await issue({ ttlSeconds: 60 });
    const jwks = await exportJwks(key.publicKey, key.kid);
    await expect(verifyToken(idToken, jwks, { ...options, now: at(NOW, 61_000) })).rejects.toThrow(/exp/);
  });

  it('rejects a token signed by a foreign key, even one claiming our kid', async () => {
    const foreign = await issue({ key: { ...foreignKey, kid: key.kid } });
    const jwks = await exportJwks(key.publicKey, key.kid);
    await expect(verifyToken(foreign.idToken, jwks, options)).rejects.toThrow(/signature/);
    const unknownKid = await issue({ key: foreignKey });
    await expect(verifyToken(unknownKid.idToken, jwks, options)).rejects.toThrow();
  });

  it('rejects a token from another issuer', async () => {
    const { accessToken } = await issue({ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/other' });
    const jwks = await exportJwks(key.publicKey, key.kid);
    await expect(verifyToken(accessToken, jwks, options)).rejects.toThrow(/iss/);
  });

  it('rejects a token for another client', async () => {
    const tokens = await issue({ clientId: 'someone-else' });
    const jwks = await exportJwks(key.publicKey, key.kid);
    await expect(verifyToken(tokens.idToken, jwks, options)).rejects.toThrow(/not for client/);
    await expect(verifyToken(tokens.accessToken, jwks, options)).rejects.toThrow(/not for client/);
  });

  it('rejects an unsigned (alg none) token', async () => {
    const unsigned = new jose.UnsecuredJWT({ sub: USER.userId, token_use: 'id' })
      .setIssuer(ISSUER)
      .setAudience(CLIENT_ID)
      .setIssuedAt(NOW.getTime() / 1000)
      .setExpirationTime(NOW.getTime() / 1000 + 3600)
      .encode();
    const jwks = await exportJwks(key.publicKey, key.kid);
    await expect(verifyToken(unsigned, jwks, options)).rejects.toThrow();
  });
});
