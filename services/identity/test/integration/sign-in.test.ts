// Sign-in for people against the real local cloud: the code arrives in the local SES mailbox, the
// tokens verify against the issuer's published JWKS, and verifyPersonToken refuses forgeries.
import { resetAwsClients } from '@switchyard/runtime';
import * as jose from 'jose';
import { resetPersonTokensForTests, verifyPersonToken } from '../../src/adapters/person-tokens';
import { INVALID_CODE_ERROR, LOGIN_ACCEPTED_BODY } from '../../src/domain/otp';
import type { IdentityCloud } from './support/identity-cloud';
import { IDENTITY_TABLE, startIdentityCloud, stopIdentityCloud } from './support/identity-cloud';
import { codeFor as codeIn, givenPerson, mailTo, postJson } from './support/people';

const ISSUER = 'https://auth.switchyard.local/local';
const CLIENT_ID = 'switchyard-local';

let started: IdentityCloud;

const givenUser = (groups: string[] = ['Admins']) =>
  givenPerson(started.table, { label: 'signin', tenantId: 'ten_SIGNINTEST', groups });
const post = (path: string, body: unknown) => postJson(started.cloud, path, body);
const mailFor = (email: string) => mailTo(started.cloud, email);
const codeFor = (email: string) => codeIn(started.cloud, email);

/** A different code than the right one (for wrong guesses). */
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

beforeAll(async () => {
  started = await startIdentityCloud();
  const { cloud } = started;
  // verifyPersonToken, run here in the test process, reads the issuer key from the cloud's table.
  Object.assign(process.env, {
    AUTH_MODE: 'local',
    ISSUER_URL: ISSUER,
    CLIENT_ID,
    TABLE_NAME: IDENTITY_TABLE,
    AWS_ENDPOINT_URL_DYNAMODB: cloud.endpoints.dynamodb,
    AWS_REGION: cloud.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  resetAwsClients();
  resetPersonTokensForTests();
});

afterAll(() => stopIdentityCloud(started));

describe('sign-in with an e-mailed code', () => {
  it('e-mails a code, exchanges it for Cognito-shaped tokens that verify against the published JWKS', async () => {
    const user = await givenUser(['Admins']);

    const login = await post('/auth/login', { email: user.email.toUpperCase() });
    expect(login).toEqual({ status: 202, body: LOGIN_ACCEPTED_BODY });
    const mails = await mailFor(user.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.from).toBe('no-reply@switchyard.local');
    expect(mails[0]?.body.html).toContain(await codeFor(user.email));

    const verify = await post('/auth/verify', { email: user.email, code: await codeFor(user.email) });
    expect(verify.status).toBe(200);
    // Tokens last 15 minutes; the session lasts through the refresh token (sessions.test.ts).
    expect(verify.body).toMatchObject({
      expiresIn: 900,
      tokenType: 'Bearer',
      refreshToken: expect.stringMatching(/^syr_[0-9a-z]{26}_[A-Za-z0-9_-]{43}$/),
    });

    const jwksResponse = await fetch(`${started.cloud.apiUrl}/auth/.well-known/jwks.json`);
    expect(jwksResponse.status).toBe(200);
    const jwks = (await jwksResponse.json()) as { keys: jose.JWK[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const keys = jose.createLocalJWKSet(jwks);

    const { payload: id } = await jose.jwtVerify(String(verify.body.idToken), keys, {
      issuer: ISSUER,
      audience: CLIENT_ID,
      algorithms: ['RS256'],
    });
    expect(id).toMatchObject({
      sub: user.userId,
      email: user.email,
      email_verified: true,
      'cognito:groups': ['Admins'],
      'cognito:username': user.userId,
      'custom:tenantId': user.tenantId,
      token_use: 'id',
    });
    const { payload: access } = await jose.jwtVerify(String(verify.body.accessToken), keys, {
      issuer: ISSUER,
      algorithms: ['RS256'],
    });
    expect(access).toMatchObject({
      sub: user.userId,
      client_id: CLIENT_ID,
      token_use: 'access',
      'custom:tenantId': user.tenantId,
      'cognito:groups': ['Admins'],
    });
    expect(Number(access.exp) - Number(access.iat)).toBe(900);
    expect(access.aud).toBeUndefined();

    await expect(verifyPersonToken(String(verify.body.idToken))).resolves.toEqual({
      userId: user.userId,
      email: user.email,
      groups: ['Admins'],
      tenantId: user.tenantId,
    });
    await expect(verifyPersonToken(String(verify.body.accessToken))).resolves.toMatchObject({
      userId: user.userId,
      groups: ['Admins'],
      tenantId: user.tenantId,
    });

    // Single use: the same code again is refused with the one generic error.
    const reuse = await post('/auth/verify', { email: user.email, code: await codeFor(user.email) });
    expect(reuse.status).toBe(400);
    expect(reuse.body.error).toMatchObject(INVALID_CODE_ERROR);
  });

  it('locks the code after 5 wrong guesses: even the right code then fails, with the same error', async () => {
    const user = await givenUser();
    await post('/auth/login', { email: user.email });
    const code = await codeFor(user.email);

    const guesses = await Promise.all(
      Array.from({ length: 5 }, () => post('/auth/verify', { email: user.email, code: wrong(code) })),
    );
    for (const guess of guesses) {
      expect(guess.status).toBe(400);
      expect(guess.body.error).toMatchObject(INVALID_CODE_ERROR);
    }
    const right = await post('/auth/verify', { email: user.email, code });
    expect(right.status).toBe(400);
    expect(right.body.error).toMatchObject(INVALID_CODE_ERROR);
  });

  it('does not resend a code within a minute, and the first code still works', async () => {
    const user = await givenUser();
    await post('/auth/login', { email: user.email });
    const again = await post('/auth/login', { email: user.email });
    expect(again).toEqual({ status: 202, body: LOGIN_ACCEPTED_BODY });
    expect(await mailFor(user.email)).toHaveLength(1);
    const verify = await post('/auth/verify', { email: user.email, code: await codeFor(user.email) });
    expect(verify.status).toBe(200);
  });

  it('answers an unknown address exactly like a known one, and sends nothing', async () => {
    const email = `nobody-${Date.now().toString(36)}@example.com`;
    const login = await post('/auth/login', { email });
    expect(login).toEqual({ status: 202, body: LOGIN_ACCEPTED_BODY });
    expect(await mailFor(email)).toHaveLength(0);
    const verify = await post('/auth/verify', { email, code: '123456' });
    expect(verify.status).toBe(400);
    expect(verify.body.error).toMatchObject(INVALID_CODE_ERROR);
  });

  it('rejects a malformed request with field details', async () => {
    const response = await post('/auth/login', { email: 'not an address' });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'validation_failed' });
  });
});

describe('verifyPersonToken against the stored issuer key', () => {
  let idToken: string;

  beforeAll(async () => {
    const user = await givenUser(['Viewers']);
    await post('/auth/login', { email: user.email });
    const verify = await post('/auth/verify', { email: user.email, code: await codeFor(user.email) });
    idToken = String(verify.body.idToken);
  });

  it('rejects a tampered token', async () => {
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['Admins'] })).toString(
      'base64url',
    );
    await expect(verifyPersonToken(`${header}.${forged}.${signature}`)).rejects.toThrow();
  });

  it('rejects a token with the right claims signed by a foreign key', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('RS256');
    const jwks = (await (await fetch(`${started.cloud.apiUrl}/auth/.well-known/jwks.json`)).json()) as {
      keys: jose.JWK[];
    };
    const claims = jose.decodeJwt(idToken);
    // Even claiming the real kid does not help.
    const foreign = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: jwks.keys[0]?.kid ?? 'x' })
      .sign(privateKey);
    await expect(verifyPersonToken(foreign)).rejects.toThrow();
    expect(publicKey).toBeDefined();
  });

  it('rejects garbage', async () => {
    await expect(verifyPersonToken('not.a.token')).rejects.toThrow();
    await expect(verifyPersonToken('')).rejects.toThrow();
  });
});
