import type { Profile, Viewer } from '../../../src/domain/profiles';
import {
  applyProfileUpdate,
  canViewProfile,
  emptyProfile,
  profileAccess,
  profileUpdateSchema,
  sharedProfileChange,
  toPublicProfile,
} from '../../../src/domain/profiles';
import { NOW, at } from './fixtures';

const OWNER = 'usr_owner';
const TENANT = 'ten_a';
const base: Profile = {
  userId: OWNER,
  tenantId: TENANT,
  displayName: 'Ann',
  bio: 'Hello',
  photoUrl: 'https://cdn.example.com/ann.png',
  isProfilePrivate: false,
  updatedAt: '2025-05-01T00:00:00.000Z',
};

const issuesOf = (input: unknown) => {
  const result = profileUpdateSchema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('PUT /profile input', () => {
  it('accepts a partial update and trims the display name', () => {
    expect(profileUpdateSchema.parse({ displayName: '  Ann B  ' })).toEqual({ displayName: 'Ann B' });
    expect(profileUpdateSchema.parse({ isProfilePrivate: true })).toEqual({ isProfilePrivate: true });
  });

  it('allows null to clear bio and photo', () => {
    expect(profileUpdateSchema.parse({ bio: null, photoUrl: null })).toEqual({ bio: null, photoUrl: null });
  });

  it('counts characters, not UTF-16 units: 500 emoji are a valid bio, 501 are not', () => {
    expect(issuesOf({ bio: '😀'.repeat(500) })).toEqual([]);
    expect(issuesOf({ bio: '😀'.repeat(501) })).toEqual([
      { path: 'bio', message: 'bio is at most 500 characters' },
    ]);
  });

  it('keeps line breaks in a bio', () => {
    expect(issuesOf({ bio: 'line one\nline two\r\n' })).toEqual([]);
  });

  it.each([
    ['an empty display name', { displayName: '   ' }, 'displayName'],
    ['an 81-character display name', { displayName: 'x'.repeat(81) }, 'displayName'],
    ['a display name with a newline', { displayName: 'Ann\nB' }, 'displayName'],
    ['a null display name', { displayName: null }, 'displayName'],
    ['a bio with a NUL', { bio: 'a\u0000b' }, 'bio'],
    ['an http photo', { photoUrl: 'http://cdn.example.com/a.png' }, 'photoUrl'],
    ['a javascript: photo', { photoUrl: 'javascript:alert(1)' }, 'photoUrl'],
    ['a photo URL with credentials', { photoUrl: 'https://u:p@cdn.example.com/a.png' }, 'photoUrl'],
    ['a relative photo URL', { photoUrl: '/a.png' }, 'photoUrl'],
    ['a string privacy flag', { isProfilePrivate: 'true' }, 'isProfilePrivate'],
  ])('rejects %s with a field detail', (_label, input, field) => {
    expect(issuesOf(input).map((issue) => issue.path)).toEqual([field]);
  });

  it('rejects unknown fields, naming them', () => {
    const result = profileUpdateSchema.safeParse({ displayname: 'typo' });
    expect(result.success).toBe(false);
    expect(JSON.stringify(result.error?.issues)).toContain('displayname');
  });

  it('rejects an empty update and a non-object', () => {
    expect(issuesOf({})).toEqual([{ path: '', message: 'at least one field is required' }]);
    expect(issuesOf('displayName=Ann').length).toBe(1);
  });
});

describe('applyProfileUpdate', () => {
  it('sets the given fields, keeps the others and stamps updatedAt', () => {
    const { profile, changedFields } = applyProfileUpdate(
      base,
      { displayName: 'Ann B', isProfilePrivate: true },
      NOW,
    );
    expect(profile).toEqual({
      ...base,
      displayName: 'Ann B',
      isProfilePrivate: true,
      updatedAt: NOW.toISOString(),
    });
    expect(changedFields).toEqual(['displayName', 'isProfilePrivate']);
  });

  it('clears fields set to null', () => {
    const { profile, changedFields } = applyProfileUpdate(base, { bio: null, photoUrl: null }, NOW);
    expect(profile).not.toHaveProperty('bio');
    expect(profile).not.toHaveProperty('photoUrl');
    expect(changedFields).toEqual(['bio', 'photoUrl']);
  });

  it('reports no change (and keeps the old timestamp) when nothing differs', () => {
    const result = applyProfileUpdate(base, { displayName: 'Ann', isProfilePrivate: false }, NOW);
    expect(result).toEqual({ profile: base, changedFields: [] });
    const empty = emptyProfile({ userId: OWNER, tenantId: TENANT, createdAt: base.updatedAt });
    expect(applyProfileUpdate(empty, { bio: null }, NOW).changedFields).toEqual([]);
  });

  it('fills an empty profile', () => {
    const empty = emptyProfile({ userId: OWNER, tenantId: TENANT, createdAt: base.updatedAt });
    expect(empty).toEqual({
      userId: OWNER,
      tenantId: TENANT,
      isProfilePrivate: false,
      updatedAt: base.updatedAt,
    });
    expect(applyProfileUpdate(empty, { bio: 'Hi' }, NOW).profile.bio).toBe('Hi');
  });
});

describe('who can view a profile', () => {
  const viewer = (overrides: Partial<Viewer> = {}): Viewer => ({
    userId: 'usr_other',
    tenantId: TENANT,
    groups: [],
    ...overrides,
  });
  const privateProfile = { ...base, isProfilePrivate: true };

  it('shows a public profile to anyone in the tenant', () => {
    expect(canViewProfile(base, viewer())).toBe(true);
  });

  it('shows a private profile to its owner and to admins only', () => {
    expect(canViewProfile(privateProfile, viewer({ userId: OWNER }))).toBe(true);
    expect(canViewProfile(privateProfile, viewer({ groups: ['Admins'] }))).toBe(true);
    expect(canViewProfile(privateProfile, viewer())).toBe(false);
    expect(canViewProfile(privateProfile, viewer({ groups: ['Creators', 'admins'] }))).toBe(false);
  });

  it("does not let another tenant's admin see anything", () => {
    expect(canViewProfile(privateProfile, viewer({ tenantId: 'ten_b', groups: ['Admins'] }))).toBe(false);
    expect(canViewProfile(base, viewer({ tenantId: 'ten_b' }))).toBe(false);
  });

  it('maps to 200, 403 and 404 outcomes', () => {
    expect(profileAccess(base, viewer())).toEqual({ outcome: 'ok', body: toPublicProfile(base) });
    expect(profileAccess(privateProfile, viewer())).toEqual({ outcome: 'forbidden' });
    expect(profileAccess(undefined, viewer())).toEqual({ outcome: 'not_found' });
    // Another tenant's user is indistinguishable from an unknown one.
    expect(profileAccess(privateProfile, viewer({ tenantId: 'ten_b' }))).toEqual({ outcome: 'not_found' });
  });
});

describe('toPublicProfile', () => {
  it('shapes every field, null when unset, without internal fields', () => {
    const empty = emptyProfile({ userId: OWNER, tenantId: TENANT, createdAt: base.updatedAt });
    expect(toPublicProfile(empty)).toEqual({
      userId: OWNER,
      displayName: null,
      bio: null,
      photoUrl: null,
      isProfilePrivate: false,
      updatedAt: base.updatedAt,
    });
    expect(toPublicProfile(base)).not.toHaveProperty('tenantId');
  });
});

describe('sharedProfileChange', () => {
  it('describes a display name change for ProfileUpdated', () => {
    const after = applyProfileUpdate(base, { displayName: 'Ann B' }, at(NOW, 0)).profile;
    expect(sharedProfileChange(base, after)).toEqual({
      changedFields: ['displayName'],
      old: { displayName: 'Ann' },
      new: { displayName: 'Ann B' },
    });
  });

  it('publishes nothing when only identity-private fields changed', () => {
    const after = applyProfileUpdate(base, { bio: 'New bio', isProfilePrivate: true }, NOW).profile;
    expect(sharedProfileChange(base, after)).toBeNull();
  });

  it('handles a first display name', () => {
    const empty = emptyProfile({ userId: OWNER, tenantId: TENANT, createdAt: base.updatedAt });
    const after = applyProfileUpdate(empty, { displayName: 'Ann' }, NOW).profile;
    expect(sharedProfileChange(empty, after)).toEqual({
      changedFields: ['displayName'],
      old: {},
      new: { displayName: 'Ann' },
    });
  });
});
