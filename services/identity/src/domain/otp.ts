/**
 * E-mail sign-in with 6-digit one-time codes. The plain code exists only in the e-mail; the store
 * keeps an HMAC of it. Codes expire after 10 minutes, allow 5 tries and work once.
 *
 * Concurrency note for the adapter: write the new challenge state with a condition on the old
 * `attemptsLeft` and `used`, so two parallel guesses cannot both spend the same attempt.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { RandomBytes } from './random';
import { normalizeEmail } from './tenants';

export const CODE_DIGITS = 6;
export const CODE_TTL_MS = 10 * 60 * 1000;
export const MAX_ATTEMPTS = 5;
/** A new code is not sent more often than this per address, whatever the caller asks. */
export const RESEND_INTERVAL_MS = 60 * 1000;

const CODE_SPACE = 10 ** CODE_DIGITS;
/** Largest multiple of 10^6 below 2^32: values at or above it are redrawn, so no code is likelier. */
const UNBIASED_LIMIT = Math.floor(2 ** 32 / CODE_SPACE) * CODE_SPACE;

/** Uniform over 000000–999999 by rejection sampling (a plain `% 10^6` would favour low codes). */
export function generateCode(random: RandomBytes): string {
  // The chance of a redraw is ~0.02%; the bound only stops a broken random source from spinning forever.
  for (let i = 0; i < 64; i++) {
    const bytes = random(4);
    if (bytes.length !== 4) throw new RangeError(`random source returned ${bytes.length} bytes`);
    const value = Buffer.from(bytes).readUInt32BE(0);
    if (value < UNBIASED_LIMIT) return String(value % CODE_SPACE).padStart(CODE_DIGITS, '0');
  }
  throw new Error('random source keeps returning out-of-range values');
}

/**
 * HMAC-SHA256 keyed by a server-side pepper and bound to the address: a leaked table does not let
 * anyone brute-force the 10^6 codes offline, and a code issued for one address is useless for another.
 */
export function hashCode(code: string, email: string, pepper: string | Uint8Array): string {
  if (pepper.length < 16) throw new RangeError('pepper must be at least 16 bytes');
  return createHmac('sha256', pepper)
    .update(`${normalizeEmail(email)}\n${code}`, 'utf8')
    .digest('hex');
}

export interface Challenge {
  email: string;
  codeHash: string;
  createdAt: string;
  expiresAt: string;
  attemptsLeft: number;
  used: boolean;
}

export function createChallenge(
  email: string,
  deps: { now: Date; random: RandomBytes; pepper: string | Uint8Array },
): { code: string; challenge: Challenge } {
  const code = generateCode(deps.random);
  const normalized = normalizeEmail(email);
  return {
    code,
    challenge: {
      email: normalized,
      codeHash: hashCode(code, normalized, deps.pepper),
      createdAt: deps.now.toISOString(),
      expiresAt: new Date(deps.now.getTime() + CODE_TTL_MS).toISOString(),
      attemptsLeft: MAX_ATTEMPTS,
      used: false,
    },
  };
}

export type VerifyResult = 'ok' | 'expired' | 'wrong' | 'locked' | 'used';

export interface Verification {
  result: VerifyResult;
  /** The state to store; identical to the input when nothing changed (no write needed). */
  challenge: Challenge;
}

const CODE_FORMAT = /^[0-9]{6}$/;

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === 32 && right.length === 32 && timingSafeEqual(left, right);
}

export function verifyCode(
  challenge: Challenge,
  code: string,
  now: Date,
  pepper: string | Uint8Array,
): Verification {
  if (challenge.used) return { result: 'used', challenge };
  if (challenge.attemptsLeft <= 0) return { result: 'locked', challenge };
  if (now.getTime() >= Date.parse(challenge.expiresAt)) return { result: 'expired', challenge };
  // A malformed code still costs an attempt: otherwise it is a free probe of the challenge's state.
  const candidate = typeof code === 'string' ? code.trim() : '';
  const matches =
    CODE_FORMAT.test(candidate) && sameHash(hashCode(candidate, challenge.email, pepper), challenge.codeHash);
  if (!matches) {
    return { result: 'wrong', challenge: { ...challenge, attemptsLeft: challenge.attemptsLeft - 1 } };
  }
  return { result: 'ok', challenge: { ...challenge, used: true } };
}

// ---- Same answer for known and unknown addresses ------------------------------------------------

/** The one body `POST /auth/login` answers with (202), whether or not the address has an account. */
export const LOGIN_ACCEPTED_BODY = Object.freeze({
  message: 'If this address can sign in, a code is on its way. It expires in 10 minutes.',
});

export type LoginPlan =
  | { action: 'send'; code: string; challenge: Challenge }
  /** Nothing to do, but the caller answers exactly as for `send`. */
  | { action: 'none'; reason: 'unknown_user' | 'too_soon' };

/**
 * Decides what `POST /auth/login` does. The HTTP answer never depends on the plan, so the response
 * does not reveal whether an address is registered; only the side effect (an e-mail) differs.
 */
export function planLogin(
  input: { email: string; userExists: boolean; current?: Challenge },
  deps: { now: Date; random: RandomBytes; pepper: string | Uint8Array },
): LoginPlan {
  if (!input.userExists) return { action: 'none', reason: 'unknown_user' };
  const current = input.current;
  // Throttle resends so the endpoint cannot be used to flood someone's mailbox.
  if (current && !current.used && deps.now.getTime() - Date.parse(current.createdAt) < RESEND_INTERVAL_MS) {
    return { action: 'none', reason: 'too_soon' };
  }
  return { action: 'send', ...createChallenge(input.email, deps) };
}

/** A syntactically valid hash that no code produces: lets unknown addresses cost the same HMAC work. */
const DECOY_HASH = '0'.repeat(64);

export type LoginVerification =
  | { ok: true; challenge: Challenge }
  /**
   * One outward failure for every cause (wrong, expired, locked, used, unknown address), so the
   * answer cannot tell an attacker which addresses have accounts. `cause` is for logs only;
   * `challenge` is the state to store, absent when there is none.
   */
  | { ok: false; cause: VerifyResult | 'no_challenge'; challenge?: Challenge };

/** `POST /auth/verify`: the decision for an address that may or may not have a pending challenge. */
export function verifyLogin(
  input: { email: string; code: string; challenge: Challenge | undefined },
  now: Date,
  pepper: string | Uint8Array,
): LoginVerification {
  if (!input.challenge || input.challenge.email !== normalizeEmail(input.email)) {
    // Do the same hashing as a real check, so response time does not separate known from unknown.
    sameHash(hashCode(String(input.code), input.email, pepper), DECOY_HASH);
    return { ok: false, cause: 'no_challenge' };
  }
  const { result, challenge } = verifyCode(input.challenge, input.code, now, pepper);
  return result === 'ok' ? { ok: true, challenge } : { ok: false, cause: result, challenge };
}

/** The one error `POST /auth/verify` returns for every failure (see `LoginVerification`). */
export const INVALID_CODE_ERROR = Object.freeze({
  code: 'invalid_code',
  message: 'The code is wrong or no longer valid. Request a new code and try again.',
});
