// activity's totals on identity's side: PersonActivityChanged projected into the table (a real
// ProfileStore over the in-memory table, which evaluates the write's condition) and shown by
// GET /profile/{userId}'s use case. Messages come late, twice and out of order; totals never go back.
import type { PersonActivityChanged } from '@switchyard/contracts';
import { ProfileStore } from '../../../src/adapters/profile-store';
import { projectPersonActivity, viewProfile } from '../../../src/app/profiles';
import type { Viewer } from '../../../src/domain/profiles';
import { fakeTable, givenUser } from '../auth/fake-table';

let table: ReturnType<typeof fakeTable>;
let store: ProfileStore;
let ann: ReturnType<typeof givenUser>;

beforeEach(() => {
  table = fakeTable();
  store = new ProfileStore('identity-test', table.client);
  ann = givenUser(table);
});

let sent = 0;
function changed(
  countersVersion: number,
  commentCount: number,
  lastActiveAt?: string,
  over: Partial<PersonActivityChanged> = {},
): PersonActivityChanged {
  sent += 1;
  return {
    version: 1,
    id: `msg-${sent}`,
    time: '2030-01-01T00:00:00.000Z',
    tenantId: ann.tenantId,
    correlationId: `corr-${sent}`,
    userId: ann.userId,
    commentCount,
    ...(lastActiveAt ? { lastActiveAt } : {}),
    countersVersion,
    ...over,
  };
}

const viewer = (): Viewer => ({ userId: 'usr_01BOB', tenantId: ann.tenantId, groups: [] });
const totals = async () => {
  const { commentCount, lastActiveAt } = await viewProfile(store, viewer(), ann.userId);
  return { commentCount, lastActiveAt };
};

describe('projectPersonActivity', () => {
  it('keeps the highest countersVersion: older and repeated messages change nothing', async () => {
    expect(await totals()).toEqual({ commentCount: 0, lastActiveAt: null });

    expect(await projectPersonActivity(store, changed(3, 2, '2030-01-01T00:00:03.000Z'))).toBe('kept');
    expect(await totals()).toEqual({ commentCount: 2, lastActiveAt: '2030-01-01T00:00:03.000Z' });

    // Version 2 arrives after version 3 (it said 3 comments, before one was deleted): ignored.
    expect(await projectPersonActivity(store, changed(2, 3, '2030-01-01T00:00:02.000Z'))).toBe('stale');
    // Version 3 again (a redelivery): ignored as well.
    expect(await projectPersonActivity(store, changed(3, 2, '2030-01-01T00:00:03.000Z'))).toBe('stale');
    expect(await totals()).toEqual({ commentCount: 2, lastActiveAt: '2030-01-01T00:00:03.000Z' });

    // A newer version moves the totals, also down (a deleted comment).
    expect(await projectPersonActivity(store, changed(4, 1, '2030-01-01T00:00:03.000Z'))).toBe('kept');
    expect(await totals()).toEqual({ commentCount: 1, lastActiveAt: '2030-01-01T00:00:03.000Z' });
    expect(table.get(`USER#${ann.userId}`, 'ACTIVITY')).toMatchObject({ countersVersion: 4 });
  });

  it('ignores a message naming an unknown user or a user of another tenant', async () => {
    expect(await projectPersonActivity(store, changed(1, 5, undefined, { userId: 'usr_01NOBODY' }))).toBe(
      'no_such_user',
    );
    expect(await projectPersonActivity(store, changed(9, 7, undefined, { tenantId: 'ten_01OTHER' }))).toBe(
      'no_such_user',
    );
    expect(table.get(`USER#${ann.userId}`, 'ACTIVITY')).toBeUndefined();
    expect(await totals()).toEqual({ commentCount: 0, lastActiveAt: null });
  });
});

describe('viewProfile', () => {
  it("shows no totals kept under another tenant's id (whoever wrote them)", async () => {
    table.put({
      pk: `USER#${ann.userId}`,
      sk: 'ACTIVITY',
      tenantId: 'ten_01OTHER',
      commentCount: 4,
      lastActiveAt: '2030-01-01T00:00:00.000Z',
      countersVersion: 2,
    });
    expect(await totals()).toEqual({ commentCount: 0, lastActiveAt: null });
  });
});
