// The session use cases (src/app/sign-in.ts) over in-memory sessions, users and sign-in: a verified
// code opens a session, a refresh rotates it, reuse and lost races revoke it, logout ends it.
import { HttpError } from '@switchyard/runtime';
import type { SessionTable, SignIn, StoredSession } from '../../../src/adapters/sign-in';
import type { SignInDeps } from '../../../src/app/deps';
import { endSession, refreshSession, verifySignInCode } from '../../../src/app/sign-in';
import type { RevokeReason, Session } from '../../../src/domain/sessions';
import type { UserRecord } from '../../../src/domain/users';
import { aUser, at, minutes, NOW, seededRandom } from '../domain/fixtures';

const USER: UserRecord = aUser({ role: 'viewer', groups: [] });

function world() {
  const sessions = new Map<string, StoredSession>();
  const users = new Map<string, UserRecord>([[USER.userId, USER]]);
  const ended: (string | undefined)[] = [];
  const revoked: { familyId: string; reason: RevokeReason }[] = [];
  let now = NOW;
  let reissued = 0;
  /** When set, the next rotation loses as if another refresh had won in between. */
  let loseNextRotation = false;

  const table = {
    open: async (stored: StoredSession) =>
      void sessions.set(stored.session.familyId, structuredClone(stored)),
    get: async (familyId: string) => structuredClone(sessions.get(familyId)),
    rotate: async (current: Session, next: Session) => {
      const stored = sessions.get(current.familyId);
      if (loseNextRotation || !stored || stored.session.tokenHash !== current.tokenHash) {
        loseNextRotation = false;
        return false;
      }
      stored.session = next;
      return true;
    },
    revoke: async (familyId: string, reason: RevokeReason) => {
      const stored = sessions.get(familyId);
      if (!stored || stored.session.status === 'revoked') return false;
      stored.session = { ...stored.session, status: 'revoked', revokedReason: reason };
      revoked.push({ familyId, reason });
      return true;
    },
  } as unknown as SessionTable;

  const signIn: SignIn = {
    startLogin: async () => undefined,
    completeLogin: async (_email, code) =>
      code === '123456'
        ? {
            tokens: { idToken: 'id-0', accessToken: 'access-0', expiresIn: 900, tokenType: 'Bearer' },
            user: { userId: USER.userId, tenantId: USER.tenantId, sessionEpoch: USER.sessionEpoch },
            providerRefreshToken: 'provider-token',
          }
        : undefined,
    reissue: async () => {
      reissued += 1;
      return {
        idToken: `id-${reissued}`,
        accessToken: `access-${reissued}`,
        expiresIn: 900,
        tokenType: 'Bearer',
      };
    },
    endSession: async (token) => void ended.push(token),
  };

  const deps: SignInDeps = {
    signIn,
    loginMinResponseMs: 0,
    sessions: table,
    users: { getUser: async (userId) => users.get(userId) },
    now: () => now,
    random: seededRandom('app-sessions'),
  };
  return {
    deps,
    sessions,
    users,
    ended,
    revoked,
    setNow: (date: Date) => (now = date),
    loseNextRotation: () => (loseNextRotation = true),
  };
}

async function refused(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  expect(error).toMatchObject({ status: 401, code: 'invalid_refresh_token' });
}

describe('sessions', () => {
  it("opens a session on sign-in, keeping the provider's token server-side, and answers its refresh token", async () => {
    const { deps, sessions } = world();
    const signedIn = await verifySignInCode(deps, USER.email, '123456');
    expect(signedIn).toMatchObject({ idToken: 'id-0', accessToken: 'access-0', expiresIn: 900 });
    expect(signedIn.refreshToken).toMatch(/^syr_/);
    const [stored] = [...sessions.values()];
    expect(stored).toMatchObject({
      session: { userId: USER.userId, tenantId: USER.tenantId, sessionEpoch: 0, status: 'active' },
      providerRefreshToken: 'provider-token',
    });
    expect(JSON.stringify(stored)).not.toContain(signedIn.refreshToken);
    await expect(verifySignInCode(deps, USER.email, '000000')).rejects.toMatchObject({
      code: 'invalid_code',
    });
  });

  it('rotates on refresh, twice; a spent token then revokes the session, the newest token included', async () => {
    const world1 = world();
    const { deps } = world1;
    const signedIn = await verifySignInCode(deps, USER.email, '123456');
    world1.setNow(at(NOW, minutes(15)));
    const first = await refreshSession(deps, signedIn.refreshToken);
    expect(first).toMatchObject({ accessToken: 'access-1' });
    const second = await refreshSession(deps, first.refreshToken);
    expect(second).toMatchObject({ accessToken: 'access-2' });

    await refused(refreshSession(deps, signedIn.refreshToken));
    expect(world1.revoked).toEqual([{ familyId: expect.any(String), reason: 'reuse' }]);
    expect(world1.ended).toEqual(['provider-token']);
    await refused(refreshSession(deps, second.refreshToken));
  });

  it('revokes the session when the rotation loses a race, so neither refresh keeps it', async () => {
    const w = world();
    const signedIn = await verifySignInCode(w.deps, USER.email, '123456');
    w.loseNextRotation();
    await refused(refreshSession(w.deps, signedIn.refreshToken));
    expect(w.revoked.map((r) => r.reason)).toEqual(['reuse']);
  });

  it("refuses a suspended or removed person's session without revoking anything", async () => {
    const w = world();
    const signedIn = await verifySignInCode(w.deps, USER.email, '123456');
    w.users.set(USER.userId, { ...USER, status: 'suspended', sessionEpoch: 1 });
    await refused(refreshSession(w.deps, signedIn.refreshToken));
    w.users.delete(USER.userId);
    await refused(refreshSession(w.deps, signedIn.refreshToken));
    await refused(refreshSession(w.deps, 'garbage'));
    expect(w.revoked).toEqual([]);
  });

  it('ends a session on logout, idempotently and silently', async () => {
    const w = world();
    const signedIn = await verifySignInCode(w.deps, USER.email, '123456');
    await endSession(w.deps, signedIn.refreshToken);
    await endSession(w.deps, signedIn.refreshToken);
    await endSession(w.deps, 'garbage');
    expect(w.revoked.map((r) => r.reason)).toEqual(['logout']);
    expect(w.ended).toEqual(['provider-token']);
    await refused(refreshSession(w.deps, signedIn.refreshToken));
  });
});
