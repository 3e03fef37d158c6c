import * as jose from 'jose';
import { createPersonTokenVerifier } from '../../../src/adapters/person-tokens';
import type { Jwks, SigningKey, TokenUser } from '../../../src/domain/tokens';
import { createSigningKey, exportJwks, issueTokens } from '../../../src/domain/tokens';
import { at, NOW, seededRandom } from '../domain/fixtures';

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
