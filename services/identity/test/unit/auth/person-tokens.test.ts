import { randomBytes } from 'node:crypto';
import * as jose from 'jose';
import { createPersonTokenVerifier, personFromClaims } from '../../../src/adapters/person-tokens';
import { createSigningKey, exportJwks, issueTokens } from '../../../src/domain/tokens';

const ISSUER = 'https://auth.switchyard.local/test';
const CLIENT_ID = 'switchyard-local';
const NOW = new Date('2025-03-01T10:00:00.000Z');
const user = {
  userId: 'usr_01ANN',
  email: 'ann@example.com',
  emailVerified: true,
  groups: ['Admins'],
  tenantId: 'ten_01',
};
const random = (n: number) => randomBytes(n);

describe('verifyPersonToken (local keys)', () => {
  let tokens: Awaited<ReturnType<typeof issueTokens>>;
  let verify: ReturnType<typeof createPersonTokenVerifier>;

  beforeAll(async () => {
    const key = await createSigningKey();
    const jwks = await exportJwks(key.publicKey, key.kid);
    tokens = await issueTokens({ user, issuer: ISSUER, clientId: CLIENT_ID, key, now: NOW, random });
    verify = createPersonTokenVerifier({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      keys: () => jwks,
      now: () => NOW,
    });
  });

  it('accepts id and access tokens and says who the person is', async () => {
    await expect(verify(tokens.idToken)).resolves.toEqual({
      userId: user.userId,
      email: user.email,
      groups: ['Admins'],
      tenantId: 'ten_01',
    });
    await expect(verify(tokens.accessToken)).resolves.toEqual({
      userId: user.userId,
      groups: ['Admins'],
      tenantId: 'ten_01',
    });
  });

  it('rejects an expired token', async () => {
    const late = createPersonTokenVerifier({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      keys: async () => exportJwks((await createSigningKey()).publicKey, 'x'),
      now: () => new Date(NOW.getTime() + 3601_000),
    });
    await expect(late(tokens.idToken)).rejects.toThrow();
  });

  it('rejects an expired token even with the right key', async () => {
    const key = await createSigningKey();
    const jwks = await exportJwks(key.publicKey, key.kid);
    const issued = await issueTokens({
      user,
      issuer: ISSUER,
      clientId: CLIENT_ID,
      key,
      now: NOW,
      random,
      ttlSeconds: 60,
    });
    const later = createPersonTokenVerifier({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      keys: () => jwks,
      now: () => new Date(NOW.getTime() + 61_000),
    });
    await expect(later(issued.idToken)).rejects.toThrow(/exp/);
  });

  it('rejects tampered, foreign-issuer, foreign-audience and foreign-key tokens', async () => {
    const [h, p, s] = tokens.idToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'usr_OTHER' })).toString('base64url')}.${s}`;
    await expect(verify(tampered)).rejects.toThrow();

    const key = await createSigningKey();
    const other = await issueTokens({ user, issuer: ISSUER, clientId: CLIENT_ID, key, now: NOW, random });
    await expect(verify(other.idToken)).rejects.toThrow();

    const jwks = await exportJwks(key.publicKey, key.kid);
    const ownKeys = createPersonTokenVerifier({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      keys: () => jwks,
      now: () => NOW,
    });
    const wrongIssuer = await issueTokens({
      user,
      issuer: 'https://evil.example',
      clientId: CLIENT_ID,
      key,
      now: NOW,
      random,
    });
    await expect(ownKeys(wrongIssuer.idToken)).rejects.toThrow();
    const wrongClient = await issueTokens({
      user,
      issuer: ISSUER,
      clientId: 'other-app',
      key,
      now: NOW,
      random,
    });
    await expect(ownKeys(wrongClient.accessToken)).rejects.toThrow(/client/);
  });

  it('rejects an unsigned (alg none) or HS256 token', async () => {
    const unsigned = new jose.UnsecuredJWT({ sub: user.userId, token_use: 'id', aud: CLIENT_ID })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime('1h')
      .encode();
    await expect(verify(unsigned)).rejects.toThrow();
    const hs = await new jose.SignJWT({ token_use: 'id' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.userId)
      .setIssuer(ISSUER)
      .setAudience(CLIENT_ID)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(randomBytes(32));
    await expect(verify(hs)).rejects.toThrow();
  });
});

describe('verifyPersonToken (remote JWKS, as for Cognito)', () => {
  it('checks the audience against client_id for access tokens', async () => {
    const key = await createSigningKey();
    const jwks = await exportJwks(key.publicKey, key.kid);
    const resolver = jose.createLocalJWKSet(jwks);
    const verify = createPersonTokenVerifier({
      issuer: ISSUER,
      clientId: CLIENT_ID,
      keys: () => resolver,
      now: () => NOW,
    });
    const good = await issueTokens({ user, issuer: ISSUER, clientId: CLIENT_ID, key, now: NOW, random });
    await expect(verify(good.accessToken)).resolves.toMatchObject({ userId: user.userId });
    const other = await issueTokens({ user, issuer: ISSUER, clientId: 'other', key, now: NOW, random });
    await expect(verify(other.accessToken)).rejects.toThrow(/client/);
  });
});

describe('personFromClaims', () => {
  it('reads Cognito claims: username as user id, groups from arrays or the authorizer string form', () => {
    expect(
      personFromClaims({
        sub: 'cognito-uuid',
        'cognito:username': 'usr_1',
        'cognito:groups': '[Admins Viewers]',
      }),
    ).toEqual({ userId: 'usr_1', groups: ['Admins', 'Viewers'] });
    expect(personFromClaims({ sub: 'cognito-uuid', username: 'usr_2', 'custom:tenantId': 'ten_1' })).toEqual({
      userId: 'usr_2',
      groups: [],
      tenantId: 'ten_1',
    });
    expect(() => personFromClaims({})).toThrow();
  });
});
