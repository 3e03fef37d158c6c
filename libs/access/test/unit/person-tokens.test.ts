import * as jose from 'jose';
import {
  createPersonTokenVerifier,
  isForClient,
  issuerJwksUrl,
  jwksUrlOf,
  looksLikeJwt,
  personClaimsProblem,
  personFromClaims,
} from '../../src/person-tokens';

const ISSUER = 'https://auth.example.test/stage';
const CLIENT = 'client-1';
const NOW = new Date('2026-01-01T00:00:00Z');

async function setup() {
  const { privateKey, publicKey } = await jose.generateKeyPair('RS256');
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
  const keys = jose.createLocalJWKSet({ keys: [jwk] });
  const sign = (
    claims: Record<string, unknown>,
    options: { issuer?: string; expiresInS?: number; key?: jose.KeyLike } = {},
  ) =>
    new jose.SignJWT({ token_use: 'id', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('usr_1')
      .setIssuer(options.issuer ?? ISSUER)
      .setIssuedAt(Math.floor(NOW.getTime() / 1000) - 10)
      .setExpirationTime(Math.floor(NOW.getTime() / 1000) + (options.expiresInS ?? 3600))
      .sign(options.key ?? privateKey);
  const verify = createPersonTokenVerifier({ issuer: ISSUER, clientId: CLIENT, keys, now: () => NOW });
  return { sign, verify };
}

describe('personClaimsProblem (the one check the services and the local gateway share)', () => {
  const now = Math.floor(NOW.getTime() / 1000);
  const good = { sub: 'u', exp: now + 60, iat: now, token_use: 'id' };

  it('passes an id or access token issued now or within the skew', () => {
    expect(personClaimsProblem(good, NOW)).toBeUndefined();
    expect(personClaimsProblem({ ...good, token_use: 'access', iat: now + 30 }, NOW)).toBeUndefined();
  });

  it.each([
    ['no exp', { ...good, exp: undefined }, /exp/],
    ['no iat', { ...good, iat: undefined }, /iat/],
    ['no sub', { ...good, sub: undefined }, /sub/],
    ['a refresh token', { ...good, token_use: 'refresh' }, /id or access/],
    ['no token_use', { ...good, token_use: undefined }, /token_use/],
    ['iat ten minutes ahead', { ...good, iat: now + 600 }, /future/],
  ])('refuses %s', (_name, claims, reason) => {
    expect(personClaimsProblem(claims, NOW)).toMatch(reason);
  });
});

describe('createPersonTokenVerifier', () => {
  it('refuses a token issued in the future beyond the skew', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('RS256');
    const keys = jose.createLocalJWKSet({
      keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }],
    });
    const verify = createPersonTokenVerifier({ issuer: ISSUER, clientId: CLIENT, keys, now: () => NOW });
    const now = Math.floor(NOW.getTime() / 1000);
    const token = await new jose.SignJWT({ token_use: 'id', aud: CLIENT })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('usr_1')
      .setIssuer(ISSUER)
      .setIssuedAt(now + 600)
      .setExpirationTime(now + 3600)
      .sign(privateKey);
    await expect(verify(token)).rejects.toThrow(/future/);
  });

  it("returns an admin's user id, groups and tenant from a valid id token", async () => {
    const { sign, verify } = await setup();
    const token = await sign({
      aud: CLIENT,
      'cognito:groups': ['Admins'],
      'custom:tenantId': 'ten_1',
      email: 'a@b.c',
    });
    await expect(verify(token)).resolves.toEqual({
      userId: 'usr_1',
      groups: ['Admins'],
      tenantId: 'ten_1',
      email: 'a@b.c',
    });
  });

  it('accepts an access token whose client_id is ours', async () => {
    const { sign, verify } = await setup();
    const token = await sign({ token_use: 'access', client_id: CLIENT, username: 'usr_1' });
    await expect(verify(token)).resolves.toMatchObject({ userId: 'usr_1' });
  });

  it("authorises from an access token alone: Cognito's claims with the tenant the trigger adds", async () => {
    const { sign, verify } = await setup();
    const token = await sign({
      token_use: 'access',
      client_id: CLIENT,
      username: 'usr_1',
      'cognito:groups': ['Admins', 'Viewers'],
      'custom:tenantId': 'ten_1',
      scope: 'aws.cognito.signin.user.admin',
    });
    await expect(verify(token)).resolves.toEqual({
      userId: 'usr_1',
      groups: ['Admins', 'Viewers'],
      tenantId: 'ten_1',
    });
  });

  it('checks the client where Cognito puts it for each kind: aud for id tokens, client_id for access tokens', async () => {
    const { sign, verify } = await setup();
    // An access token names its client in client_id only; an aud of ours does not make it ours.
    await expect(
      verify(await sign({ token_use: 'access', client_id: 'other', aud: CLIENT })),
    ).rejects.toThrow(/client/);
    // An id token names its client in aud; a client_id of ours does not make it ours.
    await expect(verify(await sign({ token_use: 'id', aud: 'other', client_id: CLIENT }))).rejects.toThrow(
      /client/,
    );
    await expect(verify(await sign({ token_use: 'id', aud: ['other', CLIENT] }))).resolves.toMatchObject({
      userId: 'usr_1',
    });
    expect(isForClient({ token_use: 'refresh', aud: CLIENT, client_id: CLIENT }, CLIENT)).toBe(false);
  });

  it('refuses another audience, another issuer, an expired token, a foreign key and a tampered one', async () => {
    const { sign, verify } = await setup();
    await expect(verify(await sign({ aud: 'other' }))).rejects.toThrow(/client/);
    await expect(verify(await sign({ aud: CLIENT }, { issuer: 'https://evil.test' }))).rejects.toThrow();
    await expect(verify(await sign({ aud: CLIENT }, { expiresInS: -60 }))).rejects.toThrow();
    const foreign = (await jose.generateKeyPair('RS256')).privateKey;
    await expect(verify(await sign({ aud: CLIENT }, { key: foreign }))).rejects.toThrow();
    const good = await sign({ aud: CLIENT });
    const [h, , s] = good.split('.');
    const forged = Buffer.from(
      JSON.stringify({ sub: 'usr_2', aud: CLIENT, iss: ISSUER, token_use: 'id', exp: 9e9, iat: 1 }),
    ).toString('base64url');
    await expect(verify(`${h}.${forged}.${s}`)).rejects.toThrow();
    await expect(verify(await sign({ aud: CLIENT, token_use: 'refresh' }))).rejects.toThrow(/id or access/);
  });
});

describe('claims and shapes', () => {
  it("parses the HTTP API authorizer's string form of groups", () => {
    expect(personFromClaims({ sub: 'u', 'cognito:groups': '[Admins Viewers]' }).groups).toEqual([
      'Admins',
      'Viewers',
    ]);
  });
  it('tells JWTs from API keys and finds the JWKS of an issuer', () => {
    expect(looksLikeJwt('a.b.c')).toBe(true);
    expect(looksLikeJwt('sy_live_abc_def')).toBe(false);
    expect(jwksUrlOf('https://cognito-idp.eu-west-1.amazonaws.com/pool/').href).toBe(
      'https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/jwks.json',
    );
  });

  it("fetches the local issuer's keys from the local cloud's API, and any other issuer's from OIDC's place", () => {
    const local = { SWITCHYARD_LOCAL_API_URL: 'http://127.0.0.1:4000' };
    expect(issuerJwksUrl('https://auth.switchyard.local/local', local).href).toBe(
      'http://127.0.0.1:4000/auth/.well-known/jwks.json',
    );
    expect(issuerJwksUrl('https://auth.switchyard.local/local', {}).href).toBe(
      'https://auth.switchyard.local/local/.well-known/jwks.json',
    );
    expect(issuerJwksUrl('https://cognito-idp.eu-west-1.amazonaws.com/p', local).href).toBe(
      'https://cognito-idp.eu-west-1.amazonaws.com/p/.well-known/jwks.json',
    );
  });
});
