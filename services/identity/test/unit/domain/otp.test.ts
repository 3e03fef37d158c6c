import type { Challenge } from '../../../src/domain/otp';
import {
  CODE_TTL_MS,
  INVALID_CODE_ERROR,
  LOGIN_ACCEPTED_BODY,
  createChallenge,
  generateCode,
  hashCode,
  planLogin,
  verifyCode,
  verifyLogin,
} from '../../../src/domain/otp';
import { NOW, at, minutes, scriptedRandom, seededRandom } from './fixtures';

const PEPPER = 'pepper-for-unit-tests-0123456789';
const u32 = (value: number) => [
  (value >>> 24) & 0xff,
  (value >>> 16) & 0xff,
  (value >>> 8) & 0xff,
  value & 0xff,
];

describe('generateCode', () => {
  it('zero-pads to six digits', () => {
    expect(generateCode(scriptedRandom(u32(42)))).toBe('000042');
    expect(generateCode(scriptedRandom(u32(0)))).toBe('000000');
  });

  it('maps the largest accepted value to 999999', () => {
    // 4_293_999_999 is the last value below the unbiased limit (4295 × 10^6 − 1 would be above 2^32).
    expect(generateCode(scriptedRandom(u32(4_293_999_999)))).toBe('999999');
  });

  it('redraws values in the biased tail instead of folding them onto low codes', () => {
    // 4_294_000_000 % 10^6 would be 0: a modulo would make 000000–967295 slightly likelier.
    expect(generateCode(scriptedRandom(u32(4_294_000_000), u32(0xffffffff), u32(123456)))).toBe('123456');
  });

  it('gives up on a random source that never yields a usable value', () => {
    expect(() => generateCode(() => Uint8Array.from([0xff, 0xff, 0xff, 0xff]))).toThrow(/out-of-range/);
  });

  it('covers the digits evenly over many draws', () => {
    const random = seededRandom('codes');
    const firstDigits = new Array<number>(10).fill(0);
    for (let i = 0; i < 5000; i++) {
      const code = generateCode(random);
      expect(code).toMatch(/^\d{6}$/);
      firstDigits[Number(code[0])]! += 1;
    }
    // Each leading digit should be ~500; a wide band still catches a broken mapping.
    for (const count of firstDigits) expect(count).toBeGreaterThan(400);
  });
});

describe('hashCode', () => {
  it('is an HMAC bound to the normalised address', () => {
    const hash = hashCode('123456', 'ann@example.com', PEPPER);
    expect(hash).toMatch(/^[a-f0-9]{64}$/);
    expect(hashCode('123456', ' ANN@example.com ', PEPPER)).toBe(hash);
    expect(hashCode('123456', 'bob@example.com', PEPPER)).not.toBe(hash);
    expect(hashCode('123457', 'ann@example.com', PEPPER)).not.toBe(hash);
    expect(hashCode('123456', 'ann@example.com', `${PEPPER}x`)).not.toBe(hash);
  });

  it('refuses a short pepper', () => {
    expect(() => hashCode('123456', 'a@example.com', 'short')).toThrow(RangeError);
  });
});

describe('createChallenge', () => {
  it('stores only the hash, with a 10-minute expiry and 5 attempts', () => {
    const { code, challenge } = createChallenge('Ann@Example.com', {
      now: NOW,
      random: seededRandom('challenge'),
      pepper: PEPPER,
    });
    expect(challenge).toEqual({
      email: 'ann@example.com',
      codeHash: hashCode(code, 'ann@example.com', PEPPER),
      createdAt: NOW.toISOString(),
      expiresAt: '2025-06-01T12:10:00.000Z',
      attemptsLeft: 5,
      used: false,
    });
    expect(JSON.stringify(challenge)).not.toContain(`"${code}"`);
  });
});

describe('verifyCode', () => {
  const issue = () =>
    createChallenge('ann@example.com', { now: NOW, random: seededRandom('verify'), pepper: PEPPER });
  const wrongCode = (code: string) => (code === '000000' ? '000001' : '000000');

  it('accepts the right code once, then says used', () => {
    const { code, challenge } = issue();
    const first = verifyCode(challenge, code, at(NOW, minutes(1)), PEPPER);
    expect(first.result).toBe('ok');
    expect(first.challenge.used).toBe(true);
    expect(verifyCode(first.challenge, code, at(NOW, minutes(2)), PEPPER).result).toBe('used');
  });

  it('decrements attempts on a wrong code and locks after five', () => {
    const { code, challenge } = issue();
    let state: Challenge = challenge;
    for (let left = 4; left >= 0; left--) {
      const outcome = verifyCode(state, wrongCode(code), NOW, PEPPER);
      expect(outcome.result).toBe('wrong');
      expect(outcome.challenge.attemptsLeft).toBe(left);
      state = outcome.challenge;
    }
    // The right code no longer helps.
    const locked = verifyCode(state, code, NOW, PEPPER);
    expect(locked.result).toBe('locked');
    expect(locked.challenge).toBe(state);
  });

  it('still accepts the right code on the fifth try', () => {
    const { code, challenge } = issue();
    let state = challenge;
    for (let i = 0; i < 4; i++) state = verifyCode(state, wrongCode(code), NOW, PEPPER).challenge;
    expect(verifyCode(state, code, NOW, PEPPER).result).toBe('ok');
  });

  it('expires at exactly 10 minutes, without spending an attempt', () => {
    const { code, challenge } = issue();
    expect(verifyCode(challenge, code, at(NOW, CODE_TTL_MS - 1), PEPPER).result).toBe('ok');
    const expired = verifyCode(challenge, code, at(NOW, CODE_TTL_MS), PEPPER);
    expect(expired.result).toBe('expired');
    expect(expired.challenge).toBe(challenge);
  });

  it.each(['12345', '1234567', 'abcdef', '', ' 12 34 '])(
    'counts a malformed code (%p) as a wrong attempt',
    (bad) => {
      const { challenge } = issue();
      const outcome = verifyCode(challenge, bad, NOW, PEPPER);
      expect(outcome.result).toBe('wrong');
      expect(outcome.challenge.attemptsLeft).toBe(4);
    },
  );

  it('accepts a code with surrounding whitespace (pasted from the e-mail)', () => {
    const { code, challenge } = issue();
    expect(verifyCode(challenge, ` ${code}\n`, NOW, PEPPER).result).toBe('ok');
  });

  it('rejects a right code checked with another pepper', () => {
    const { code, challenge } = issue();
    expect(verifyCode(challenge, code, NOW, `${PEPPER}-rotated`).result).toBe('wrong');
  });
});

describe('planLogin', () => {
  const deps = { now: NOW, random: seededRandom('login'), pepper: PEPPER };

  it('sends a code to a known address', () => {
    const plan = planLogin({ email: 'ann@example.com', userExists: true }, deps);
    expect(plan.action).toBe('send');
    if (plan.action === 'send')
      expect(plan.challenge.codeHash).toBe(hashCode(plan.code, 'ann@example.com', PEPPER));
  });

  it('sends nothing to an unknown address', () => {
    expect(planLogin({ email: 'nobody@example.com', userExists: false }, deps)).toEqual({
      action: 'none',
      reason: 'unknown_user',
    });
  });

  it('does not resend within a minute, but does after', () => {
    const { challenge } = createChallenge('ann@example.com', { ...deps, now: at(NOW, -30_000) });
    expect(planLogin({ email: 'ann@example.com', userExists: true, current: challenge }, deps)).toEqual({
      action: 'none',
      reason: 'too_soon',
    });
    const later = { ...deps, now: at(NOW, 30_000) };
    expect(planLogin({ email: 'ann@example.com', userExists: true, current: challenge }, later).action).toBe(
      'send',
    );
  });

  it('sends a new code right away once the previous one was used', () => {
    const { challenge } = createChallenge('ann@example.com', deps);
    expect(
      planLogin({ email: 'ann@example.com', userExists: true, current: { ...challenge, used: true } }, deps)
        .action,
    ).toBe('send');
  });

  it('has one public answer for every case', () => {
    expect(LOGIN_ACCEPTED_BODY.message).toMatch(/If this address/);
    expect(Object.isFrozen(LOGIN_ACCEPTED_BODY)).toBe(true);
  });
});

describe('verifyLogin', () => {
  const deps = { now: NOW, random: seededRandom('vlogin'), pepper: PEPPER };

  it('signs in with the right code', () => {
    const { code, challenge } = createChallenge('ann@example.com', deps);
    const outcome = verifyLogin({ email: 'ANN@example.com', code, challenge }, NOW, PEPPER);
    expect(outcome).toEqual({ ok: true, challenge: { ...challenge, used: true } });
  });

  it('fails the same way for an unknown address as for a wrong code', () => {
    const { code, challenge } = createChallenge('ann@example.com', deps);
    const unknown = verifyLogin(
      { email: 'nobody@example.com', code: '123456', challenge: undefined },
      NOW,
      PEPPER,
    );
    const wrong = verifyLogin(
      { email: 'ann@example.com', code: code === '000000' ? '000001' : '000000', challenge },
      NOW,
      PEPPER,
    );
    expect(unknown).toEqual({ ok: false, cause: 'no_challenge' });
    expect(wrong.ok).toBe(false);
    expect(INVALID_CODE_ERROR.code).toBe('invalid_code');
  });

  it("does not let one address's challenge be spent with another address", () => {
    const { code, challenge } = createChallenge('ann@example.com', deps);
    expect(verifyLogin({ email: 'bob@example.com', code, challenge }, NOW, PEPPER)).toEqual({
      ok: false,
      cause: 'no_challenge',
    });
  });

  it('reports the cause and the state to store for a known address', () => {
    const { challenge } = createChallenge('ann@example.com', deps);
    const outcome = verifyLogin({ email: 'ann@example.com', code: 'nope', challenge }, NOW, PEPPER);
    expect(outcome).toEqual({ ok: false, cause: 'wrong', challenge: { ...challenge, attemptsLeft: 4 } });
  });
});
