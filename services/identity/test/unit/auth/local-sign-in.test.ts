import * as jose from 'jose';
import { getLocalJwks, resetPersonTokensForTests } from '../../../src/adapters/person-tokens';
import type { Mailer } from '../../../src/adapters/mailer';
import { LocalSignIn, resetSignInForTests, withMinimumDuration } from '../../../src/adapters/sign-in';
import { CODE_TTL_MS, RESEND_INTERVAL_MS } from '../../../src/domain/otp';
import { fakeTable, givenUser } from './fake-table';

const ISSUER = 'https://auth.switchyard.local/test';
const CLIENT_ID = 'switchyard-local';
const T0 = new Date('2025-03-01T10:00:00.000Z');

function setup() {
  resetSignInForTests();
  resetPersonTokensForTests();
  const table = fakeTable();
  const sent: { to: string; code: string; minutes: number }[] = [];
  const mailer: Pick<Mailer, 'sendSignInCode'> = {
    sendSignInCode: async (to, code, minutes) => {
      sent.push({ to, code, minutes });
    },
  };
  let now = T0;
  const signIn = new LocalSignIn({
    tableName: 'identity-test',
    issuer: ISSUER,
    clientId: CLIENT_ID,
    mailer,
    client: table.client,
    now: () => now,
  });
  return { table, sent, signIn, setNow: (date: Date) => (now = date) };
}

const later = (ms: number) => new Date(T0.getTime() + ms);
const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('LocalSignIn', () => {
  it('stores only an HMAC of the code, with a TTL, and e-mails the code', async () => {
    const { table, sent, signIn } = setup();
    givenUser(table);
    await signIn.startLogin(' Ann@Example.com ');
    expect(sent).toEqual([{ to: 'ann@example.com', code: expect.stringMatching(/^\d{6}$/), minutes: 10 }]);
    const item = table.get('OTP#ann@example.com', 'OTP');
    expect(item).toMatchObject({
      attemptsLeft: 5,
      used: false,
      userId: 'usr_01ANN',
      expiresAtEpoch: Math.ceil((T0.getTime() + CODE_TTL_MS) / 1000),
    });
    expect(JSON.stringify(item)).not.toContain(sent[0]?.code);
    // The pepper lives next to the issuer key, created once.
    expect(table.get('ISSUER', 'PEPPER')).toMatchObject({ pepper: expect.any(String) });
  });

  it('issues tokens for the right code, once; they verify against the stored key', async () => {
    const { table, sent, signIn } = setup();
    const user = givenUser(table);
    await signIn.startLogin(user.email);
    const signedIn = await signIn.completeLogin(user.email, sent[0]?.code ?? '');
    expect(signedIn?.user).toEqual({ userId: user.userId, tenantId: user.tenantId, sessionEpoch: 0 });
    const tokens = signedIn?.tokens;
    expect(tokens).toMatchObject({ expiresIn: 900, tokenType: 'Bearer' });
    const jwks = await getLocalJwks('identity-test', table.client);
    const { payload } = await jose.jwtVerify(tokens?.idToken ?? '', jose.createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: CLIENT_ID,
      currentDate: T0,
    });
    expect(payload).toMatchObject({ sub: user.userId, email: user.email, 'cognito:groups': ['Admins'] });
    expect(table.get(`USER#${user.userId}`, 'USER')).toMatchObject({ emailVerified: true });
    expect(await signIn.completeLogin(user.email, sent[0]?.code ?? '')).toBeUndefined();
  });

  it('refuses an expired code (10 minutes), even the right one', async () => {
    const { table, sent, signIn, setNow } = setup();
    givenUser(table);
    await signIn.startLogin('ann@example.com');
    setNow(later(CODE_TTL_MS));
    expect(await signIn.completeLogin('ann@example.com', sent[0]?.code ?? '')).toBeUndefined();
  });

  it('accepts the right code just before expiry', async () => {
    const { table, sent, signIn, setNow } = setup();
    givenUser(table);
    await signIn.startLogin('ann@example.com');
    setNow(later(CODE_TTL_MS - 1000));
    expect(await signIn.completeLogin('ann@example.com', sent[0]?.code ?? '')).toBeDefined();
  });

  it('counts wrong guesses with conditional writes and locks after 5', async () => {
    const { table, sent, signIn } = setup();
    givenUser(table);
    await signIn.startLogin('ann@example.com');
    const code = sent[0]?.code ?? '';
    for (let i = 0; i < 5; i++)
      expect(await signIn.completeLogin('ann@example.com', wrong(code))).toBeUndefined();
    expect(table.get('OTP#ann@example.com', 'OTP')).toMatchObject({ attemptsLeft: 0, used: false });
    expect(await signIn.completeLogin('ann@example.com', code)).toBeUndefined();
  });

  it('parallel guesses cannot spend more attempts than are left', async () => {
    const { table, sent, signIn } = setup();
    givenUser(table);
    await signIn.startLogin('ann@example.com');
    const code = sent[0]?.code ?? '';
    table.put({ ...(table.get('OTP#ann@example.com', 'OTP') as Record<string, unknown>), attemptsLeft: 1 });
    const results = await Promise.all(
      Array.from({ length: 4 }, () => signIn.completeLogin('ann@example.com', wrong(code))),
    );
    expect(results).toEqual([undefined, undefined, undefined, undefined]);
    expect(table.get('OTP#ann@example.com', 'OTP')).toMatchObject({ attemptsLeft: 0 });
    expect(await signIn.completeLogin('ann@example.com', code)).toBeUndefined();
  });

  it('does not resend within the interval, and does again after it', async () => {
    const { table, sent, signIn, setNow } = setup();
    givenUser(table);
    await signIn.startLogin('ann@example.com');
    setNow(later(RESEND_INTERVAL_MS - 1));
    await signIn.startLogin('ann@example.com');
    expect(sent).toHaveLength(1);
    setNow(later(RESEND_INTERVAL_MS));
    await signIn.startLogin('ann@example.com');
    expect(sent).toHaveLength(2);
    // Only the newest code works.
    expect(await signIn.completeLogin('ann@example.com', sent[0]?.code ?? '')).toBeUndefined();
  });

  it('sends nothing and stores nothing for an unknown address', async () => {
    const { table, sent, signIn } = setup();
    await signIn.startLogin('nobody@example.com');
    expect(sent).toHaveLength(0);
    expect(table.get('OTP#nobody@example.com', 'OTP')).toBeUndefined();
    expect(await signIn.completeLogin('nobody@example.com', '123456')).toBeUndefined();
  });

  it('drops the challenge when the e-mail cannot be sent, so the person can ask again at once', async () => {
    const { table } = setup();
    givenUser(table);
    const failing = new LocalSignIn({
      tableName: 'identity-test',
      issuer: ISSUER,
      clientId: CLIENT_ID,
      client: table.client,
      now: () => T0,
      mailer: { sendSignInCode: () => Promise.reject(new Error('SES down')) },
    });
    await expect(failing.startLogin('ann@example.com')).resolves.toBeUndefined();
    expect(table.get('OTP#ann@example.com', 'OTP')).toBeUndefined();
  });

  it('treats a suspended person like an unknown address, and refuses a code sent before the suspension', async () => {
    const { table, sent, signIn } = setup();
    const user = givenUser(table);
    table.put({ pk: `USER#${user.userId}`, sk: 'USER', ...user, status: 'suspended' });
    await signIn.startLogin(user.email);
    expect(sent).toEqual([]);
    expect(table.get('OTP#ann@example.com', 'OTP')).toBeUndefined();

    table.put({ pk: `USER#${user.userId}`, sk: 'USER', ...user, status: 'active' });
    await signIn.startLogin(user.email);
    table.put({ pk: `USER#${user.userId}`, sk: 'USER', ...user, status: 'suspended' });
    expect(await signIn.completeLogin(user.email, sent[0]?.code ?? '')).toBeUndefined();
  });

  it("reissues tokens from the user's current groups and tenant (a refresh)", async () => {
    const { table, signIn } = setup();
    const stored = givenUser(table);
    const tokens = await signIn.reissue({
      ...stored,
      role: 'creator',
      groups: ['Creators'],
      emailVerified: true,
      status: 'active',
      revision: 2,
      sessionEpoch: 0,
    });
    const claims = jose.decodeJwt(tokens.accessToken);
    expect(claims).toMatchObject({
      sub: stored.userId,
      'cognito:groups': ['Creators'],
      'custom:tenantId': stored.tenantId,
      token_use: 'access',
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(900);
    await expect(signIn.endSession()).resolves.toBeUndefined();
  });

  it('refuses the code when the user was removed after it was sent', async () => {
    const { table, sent, signIn } = setup();
    givenUser(table);
    await signIn.startLogin('ann@example.com');
    table.items.delete('EMAIL#ann@example.com|EMAIL');
    expect(await signIn.completeLogin('ann@example.com', sent[0]?.code ?? '')).toBeUndefined();
  });
});

describe('withMinimumDuration', () => {
  it('pads fast work to the floor and passes results and errors through', async () => {
    const started = Date.now();
    await expect(withMinimumDuration(50, async () => 'ok')).resolves.toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    await expect(withMinimumDuration(0, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
