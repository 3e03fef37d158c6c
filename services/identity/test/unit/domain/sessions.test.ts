import type { Session, SessionHolder } from '../../../src/domain/sessions';
import {
  decideRefresh,
  hashRefreshToken,
  openSession,
  parseRefreshToken,
  SESSION_TTL_MS,
  sessionTtlEpoch,
} from '../../../src/domain/sessions';
import { at, minutes, NOW, seededRandom } from './fixtures';

const USER = {
  userId: 'usr_01JX0000000000000000000001',
  tenantId: 'ten_01JX0000000000000000000000',
  sessionEpoch: 2,
};
const active: SessionHolder = { tenantId: USER.tenantId, status: 'active', sessionEpoch: 2 };
const deps = (now = NOW, seed = 'sessions') => ({ now, random: seededRandom(seed) });

function opened() {
  return openSession(USER, deps());
}

/** Rotates `token` of `session` once and returns what the client and the table then hold. */
function rotate(session: Session, token: string, now: Date, seed: string) {
  const decision = decideRefresh(token, session, active, deps(now, seed));
  if (decision.outcome !== 'rotate') throw new Error(`expected a rotation, got ${decision.outcome}`);
  return { session: decision.next, token: decision.refreshToken };
}

describe('openSession', () => {
  it('opens a 30-day session holding only the hash of an opaque high-entropy token', () => {
    const { session, refreshToken } = opened();
    expect(refreshToken).toMatch(/^syr_[0-9a-hjkmnp-tv-z]{26}_[A-Za-z0-9_-]{43}$/);
    expect(session).toEqual({
      familyId: parseRefreshToken(refreshToken)?.familyId,
      userId: USER.userId,
      tenantId: USER.tenantId,
      sessionEpoch: 2,
      status: 'active',
      tokenHash: hashRefreshToken(refreshToken),
      generation: 0,
      createdAt: NOW.toISOString(),
      expiresAt: at(NOW, SESSION_TTL_MS).toISOString(),
    });
    expect(JSON.stringify(session)).not.toContain(refreshToken.split('_')[2]);
    expect(SESSION_TTL_MS).toBe(30 * 24 * 60 * 60 * 1000);
    expect(sessionTtlEpoch(session)).toBe(Math.ceil(at(NOW, SESSION_TTL_MS).getTime() / 1000));
  });

  it('parses only well-formed tokens (the canonical base64url of 32 bytes)', () => {
    const { refreshToken } = opened();
    expect(parseRefreshToken(refreshToken)).toEqual({ familyId: refreshToken.split('_')[1] });
    for (const bad of ['', 'syr_x_y', `${refreshToken}x`, refreshToken.replace('syr_', 'sy_'), 42, null]) {
      expect(parseRefreshToken(bad)).toBeNull();
    }
    // 43 base64url characters carry 258 bits: only the canonical encoding of 32 bytes is ours.
    const family = refreshToken.split('_')[1];
    expect(parseRefreshToken(`syr_${family}_${'A'.repeat(43)}`)).not.toBeNull();
    expect(parseRefreshToken(`syr_${family}_${'A'.repeat(42)}B`)).toBeNull();
  });
});

describe('decideRefresh', () => {
  it('rotates: a new token in the same family, the old one spent, twice in a row', () => {
    const first = opened();
    const second = rotate(first.session, first.refreshToken, at(NOW, minutes(15)), 'r1');
    expect(second.token).not.toBe(first.refreshToken);
    expect(parseRefreshToken(second.token)?.familyId).toBe(first.session.familyId);
    expect(second.session).toMatchObject({
      tokenHash: hashRefreshToken(second.token),
      generation: 1,
      rotatedAt: at(NOW, minutes(15)).toISOString(),
      expiresAt: first.session.expiresAt,
    });
    const third = rotate(second.session, second.token, at(NOW, minutes(30)), 'r2');
    expect(third.session.generation).toBe(2);

    // The spent tokens are now reuse, whichever generation they come from.
    for (const spent of [first.refreshToken, second.token]) {
      expect(decideRefresh(spent, third.session, active, deps())).toEqual({ outcome: 'reuse' });
    }
  });

  it('takes a wrong secret for a real family as reuse too', () => {
    const { session, refreshToken } = opened();
    const forged = `syr_${session.familyId}_${'A'.repeat(42)}A`;
    expect(forged).not.toBe(refreshToken);
    expect(decideRefresh(forged, session, active, deps())).toEqual({ outcome: 'reuse' });
  });

  it('refuses unknown, malformed, revoked and expired sessions as they are', () => {
    const { session, refreshToken } = opened();
    const cases: [string, Session | undefined, Date, string][] = [
      [refreshToken, undefined, NOW, 'unknown'],
      ['garbage', session, NOW, 'unknown'],
      [refreshToken, { ...session, familyId: 'x'.repeat(26) }, NOW, 'unknown'],
      [refreshToken, { ...session, status: 'revoked' }, NOW, 'revoked'],
      [refreshToken, session, at(NOW, SESSION_TTL_MS), 'expired'],
    ];
    for (const [token, stored, now, reason] of cases) {
      expect(decideRefresh(token, stored, active, deps(now))).toEqual({ outcome: 'refused', reason });
    }
  });

  it('refuses a session whose person was removed, moved, suspended, or suspended and reactivated since', () => {
    const { session, refreshToken } = opened();
    const holders: [SessionHolder | undefined, string][] = [
      [undefined, 'user_gone'],
      [{ ...active, tenantId: 'ten_other' }, 'user_gone'],
      [{ ...active, status: 'suspended', sessionEpoch: 3 }, 'user_suspended'],
      [{ ...active, status: 'active', sessionEpoch: 3 }, 'user_suspended'],
    ];
    for (const [holder, reason] of holders) {
      expect(decideRefresh(refreshToken, session, holder, deps())).toEqual({ outcome: 'refused', reason });
    }
  });
});
