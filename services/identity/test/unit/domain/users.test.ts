import type { UserRecord } from '../../../src/domain/users';
import {
  adminDelta,
  inviteUserSchema,
  isActiveAdmin,
  newInvitedUser,
  planDisplayNameChange,
  planUserUpdate,
  roleForGroups,
  toUserView,
  updateUserSchema,
  userFromItem,
  userState,
} from '../../../src/domain/users';
import { aUser, at, minutes, NOW, seededRandom } from './fixtures';

const TENANT = 'ten_01JX0000000000000000000000';

const user = (overrides: Partial<UserRecord> = {}) => aUser({ tenantId: TENANT, ...overrides });

const later = at(NOW, minutes(5));

describe('roles and admins', () => {
  it('derives the role from the most privileged group', () => {
    expect(roleForGroups(['Viewers', 'Admins'])).toBe('admin');
    expect(roleForGroups(['Creators'])).toBe('creator');
    expect(roleForGroups(['Viewers'])).toBe('viewer');
    expect(roleForGroups([])).toBe('viewer');
  });

  it('counts only active members of Admins as admins, and says how a change moves the count', () => {
    expect(isActiveAdmin(user())).toBe(true);
    expect(isActiveAdmin(user({ status: 'suspended' }))).toBe(false);
    expect(isActiveAdmin(user({ groups: ['Creators'] }))).toBe(false);
    expect(adminDelta(user(), user({ groups: [] }))).toBe(-1);
    expect(adminDelta(user(), user({ status: 'suspended' }))).toBe(-1);
    expect(adminDelta(user(), undefined)).toBe(-1);
    expect(adminDelta(user({ status: 'suspended' }), user())).toBe(1);
    expect(adminDelta(user({ groups: [] }), user({ groups: ['Viewers'] }))).toBe(0);
    expect(adminDelta(user({ status: 'suspended' }), undefined)).toBe(0);
  });
});

describe('newInvitedUser', () => {
  it('is active at revision 1 and epoch 0, in the groups asked for (ordered), invited by the actor', () => {
    const invited = newInvitedUser(
      {
        email: 'bo@example.com',
        groups: ['Viewers', 'Admins'],
        displayName: 'Bo',
        tenantId: TENANT,
        invitedBy: 'key:abc',
      },
      { now: NOW, random: seededRandom('invite') },
    );
    expect(invited).toEqual({
      userId: expect.stringMatching(/^usr_[0-9A-Z]{26}$/),
      tenantId: TENANT,
      email: 'bo@example.com',
      emailVerified: false,
      role: 'admin',
      groups: ['Admins', 'Viewers'],
      status: 'active',
      displayName: 'Bo',
      invitedBy: 'key:abc',
      createdAt: NOW.toISOString(),
      revision: 1,
      sessionEpoch: 0,
    });
  });
});

describe('request schemas', () => {
  it('normalises the invited address and refuses unknown groups, repeated groups and unknown fields', () => {
    expect(inviteUserSchema.parse({ email: ' Bo@Example.COM ' })).toEqual({ email: 'bo@example.com' });
    for (const body of [
      { email: 'bo@example.com', groups: ['Owners'] },
      { email: 'bo@example.com', groups: ['Admins', 'Admins'] },
      { email: 'bo@example.com', role: 'admin' },
      { email: 'bo@example.com', displayName: '' },
      { email: 'not an address' },
    ]) {
      expect(inviteUserSchema.safeParse(body).success).toBe(false);
    }
  });

  it('needs groups or status in a patch, and a known status', () => {
    expect(updateUserSchema.safeParse({}).success).toBe(false);
    expect(updateUserSchema.safeParse({ status: 'removed' }).success).toBe(false);
    expect(updateUserSchema.parse({ status: 'suspended' })).toEqual({ status: 'suspended' });
  });
});

describe('planUserUpdate', () => {
  it('changes groups and role at the next revision, and tells the admin count it drops', () => {
    const change = planUserUpdate(user(), { groups: ['Viewers'] }, later);
    expect(change).toEqual({
      outcome: 'changed',
      next: user({ groups: ['Viewers'], role: 'viewer', revision: 2, updatedAt: later.toISOString() }),
      changedFields: ['groups'],
      adminDelta: -1,
      suspended: false,
    });
  });

  it('writes nothing when nothing changes (the same groups in another order, the same status)', () => {
    const current = user({ groups: ['Admins', 'Viewers'] });
    expect(planUserUpdate(current, { groups: ['Viewers', 'Admins'], status: 'active' }, later)).toEqual({
      outcome: 'unchanged',
    });
  });

  it('ends every session of a suspended person (the epoch moves on); reactivating does not bring them back', () => {
    const suspended = planUserUpdate(user({ sessionEpoch: 3 }), { status: 'suspended' }, later);
    expect(suspended).toMatchObject({
      outcome: 'changed',
      next: { status: 'suspended', sessionEpoch: 4, revision: 2 },
      changedFields: ['status'],
      adminDelta: -1,
      suspended: true,
    });
    if (suspended.outcome !== 'changed') throw new Error('expected a change');
    const back = planUserUpdate(suspended.next, { status: 'active' }, at(later, 1000));
    expect(back).toMatchObject({
      next: { status: 'active', sessionEpoch: 4, revision: 3 },
      adminDelta: 1,
      suspended: false,
    });
  });
});

describe('planDisplayNameChange', () => {
  it('sets or clears the display name at the next revision; the same name changes nothing', () => {
    expect(planDisplayNameChange(user(), 'Ann', later)).toMatchObject({
      outcome: 'changed',
      next: { displayName: 'Ann', revision: 2 },
      changedFields: ['displayName'],
      adminDelta: 0,
    });
    const cleared = planDisplayNameChange(user({ displayName: 'Ann' }), undefined, later);
    expect(cleared.outcome === 'changed' && cleared.next).not.toHaveProperty('displayName');
    expect(planDisplayNameChange(user({ displayName: 'Ann' }), 'Ann', later)).toEqual({
      outcome: 'unchanged',
    });
  });
});

describe('shapes', () => {
  it('reads items written before statuses, revisions and epochs existed as active, revision 1, epoch 0', () => {
    const item = {
      pk: 'USER#usr_1',
      sk: 'USER',
      userId: 'usr_1',
      tenantId: TENANT,
      email: 'ann@example.com',
      emailVerified: false,
      role: 'admin',
      groups: ['Admins', 7],
      createdAt: NOW.toISOString(),
    };
    expect(userFromItem(item)).toEqual({
      userId: 'usr_1',
      tenantId: TENANT,
      email: 'ann@example.com',
      emailVerified: false,
      role: 'admin',
      groups: ['Admins'],
      status: 'active',
      createdAt: NOW.toISOString(),
      revision: 1,
      sessionEpoch: 0,
    });
    expect(userFromItem(undefined)).toBeUndefined();
    expect(userFromItem({ pk: 'USER#x', sk: 'PROFILE' })).toBeUndefined();
  });

  it('shows every field (null when unset) and nothing internal; events carry the state other services keep', () => {
    const view = toUserView(user());
    expect(view).toEqual({
      userId: 'usr_01JX0000000000000000000001',
      tenantId: TENANT,
      email: 'ann@example.com',
      displayName: null,
      groups: ['Admins'],
      role: 'admin',
      status: 'active',
      emailVerified: true,
      invitedBy: null,
      createdAt: NOW.toISOString(),
      updatedAt: null,
    });
    expect(view).not.toHaveProperty('revision');
    expect(view).not.toHaveProperty('sessionEpoch');
    expect(userState(user({ displayName: 'Ann', groups: ['Viewers', 'Creators'] }))).toEqual({
      email: 'ann@example.com',
      displayName: 'Ann',
      groups: ['Creators', 'Viewers'],
      role: 'creator',
      status: 'active',
    });
  });
});
