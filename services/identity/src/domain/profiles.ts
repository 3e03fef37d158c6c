/**
 * User profiles: display name, bio, photo and a privacy flag. A private profile is visible
 * to its owner and to admins of the same tenant only.
 */
import { z } from 'zod';
import { ADMINS_GROUP } from './tenants';

/** Counted in characters (code points), not UTF-16 units: an emoji is one character to a person. */
const maxChars = (max: number) => (value: string) => [...value].length <= max;

// eslint-disable-next-line no-control-regex
const NO_CONTROL_CHARS = /^[^\u0000-\u001f\u007f]*$/;
// eslint-disable-next-line no-control-regex
const NO_CONTROL_EXCEPT_NEWLINES = /^[^\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]*$/;

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, 'displayName must not be empty')
  .refine(maxChars(80), 'displayName is at most 80 characters')
  .regex(NO_CONTROL_CHARS, 'displayName must not contain control characters');

export const bioSchema = z
  .string()
  .refine(maxChars(500), 'bio is at most 500 characters')
  .regex(NO_CONTROL_EXCEPT_NEWLINES, 'bio must not contain control characters other than line breaks');

/** https only: an http image on an https page is mixed content, and other schemes are unsafe to render. */
export const photoUrlSchema = z
  .string()
  .trim()
  .max(2048, 'photoUrl is at most 2048 characters')
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'photoUrl must be an https URL');

/**
 * `PUT /profile` body: a partial update. Omitted fields stay as they are; `null` clears bio or
 * photoUrl. Unknown fields are rejected so a typo (`displayname`) is a 400, not a silent no-op.
 */
export const profileUpdateSchema = z
  .strictObject({
    displayName: displayNameSchema.optional(),
    bio: bioSchema.nullable().optional(),
    photoUrl: photoUrlSchema.nullable().optional(),
    isProfilePrivate: z.boolean().optional(),
  })
  .refine((update) => Object.values(update).some((value) => value !== undefined), {
    message: 'at least one field is required',
  });
export type ProfileUpdate = z.infer<typeof profileUpdateSchema>;

export interface Profile {
  userId: string;
  tenantId: string;
  displayName?: string;
  bio?: string;
  photoUrl?: string;
  isProfilePrivate: boolean;
  updatedAt: string;
}

export type ProfileField = 'displayName' | 'bio' | 'photoUrl' | 'isProfilePrivate';

/**
 * A user who has never saved a profile has this one: public, with nothing filled in but the display
 * name they were invited with, if any.
 */
export function emptyProfile(user: {
  userId: string;
  tenantId: string;
  createdAt: string;
  displayName?: string;
}): Profile {
  return {
    userId: user.userId,
    tenantId: user.tenantId,
    ...(user.displayName === undefined ? {} : { displayName: user.displayName }),
    isProfilePrivate: false,
    updatedAt: user.createdAt,
  };
}

export interface AppliedUpdate {
  profile: Profile;
  /** Empty when the update changed nothing: no write and no ProfileUpdated needed. */
  changedFields: ProfileField[];
}

export function applyProfileUpdate(current: Profile, update: ProfileUpdate, now: Date): AppliedUpdate {
  const next: Profile = { ...current };
  const changedFields: ProfileField[] = [];
  const set = <K extends ProfileField>(field: K, value: Profile[K] | null | undefined) => {
    if (value === undefined) return;
    if (value === null) {
      if (next[field] === undefined) return;
      delete next[field];
    } else {
      if (next[field] === value) return;
      next[field] = value;
    }
    changedFields.push(field);
  };
  set('displayName', update.displayName);
  set('bio', update.bio);
  set('photoUrl', update.photoUrl);
  set('isProfilePrivate', update.isProfilePrivate);
  if (changedFields.length === 0) return { profile: current, changedFields };
  return { profile: { ...next, updatedAt: now.toISOString() }, changedFields };
}

export interface Viewer {
  userId: string;
  tenantId: string;
  /** From the token's `cognito:groups`. */
  groups: readonly string[];
}

/**
 * Owner always; otherwise only within the same tenant (the `Admins` group exists across the whole
 * user pool, so group membership alone must not open another tenant's profiles), and then only if
 * the profile is public or the viewer is an admin.
 */
export function canViewProfile(profile: Profile, viewer: Viewer): boolean {
  if (profile.userId === viewer.userId) return true;
  if (profile.tenantId !== viewer.tenantId) return false;
  return !profile.isProfilePrivate || viewer.groups.includes(ADMINS_GROUP);
}

export type ProfileAccess =
  { outcome: 'ok'; body: PublicProfile } | { outcome: 'forbidden' } | { outcome: 'not_found' };

/**
 * `GET /profile/{userId}`: 404 for an unknown user and for any user of another tenant (so ids cannot
 * be probed across tenants), 403 for a private profile the viewer may not see.
 */
export function profileAccess(profile: Profile | undefined, viewer: Viewer): ProfileAccess {
  if (!profile) return { outcome: 'not_found' };
  if (profile.tenantId !== viewer.tenantId && profile.userId !== viewer.userId)
    return { outcome: 'not_found' };
  if (!canViewProfile(profile, viewer)) return { outcome: 'forbidden' };
  return { outcome: 'ok', body: toPublicProfile(profile) };
}

export interface PublicProfile {
  userId: string;
  displayName: string | null;
  bio: string | null;
  photoUrl: string | null;
  isProfilePrivate: boolean;
  updatedAt: string;
}

/** The JSON clients get: every field present (null when unset), nothing internal such as tenantId. */
export function toPublicProfile(profile: Profile): PublicProfile {
  return {
    userId: profile.userId,
    displayName: profile.displayName ?? null,
    bio: profile.bio ?? null,
    photoUrl: profile.photoUrl ?? null,
    isProfilePrivate: profile.isProfilePrivate,
    updatedAt: profile.updatedAt,
  };
}

/** activity's totals for a person, as its PersonActivityChanged last told them (the highest version). */
export interface PersonActivity {
  tenantId: string;
  commentCount: number;
  lastActiveAt?: string;
  /** Grows with every change of the totals: a message with a version not above it is old news. */
  countersVersion: number;
}

/** `GET /profile/{userId}`: the public profile with activity's totals (0 and null before any arrive). */
export interface ViewedProfile extends PublicProfile {
  commentCount: number;
  lastActiveAt: string | null;
}

/** Totals kept for another tenant's person (which the projection never writes) are not shown. */
export function withActivity(
  profile: Profile,
  body: PublicProfile,
  activity: PersonActivity | undefined,
): ViewedProfile {
  const own = activity && activity.tenantId === profile.tenantId ? activity : undefined;
  return { ...body, commentCount: own?.commentCount ?? 0, lastActiveAt: own?.lastActiveAt ?? null };
}

/**
 * What ProfileUpdated carries: the contract publishes only fields other services keep (here the
 * display name), so bio, photo and privacy changes publish nothing. `null` when nothing shared changed.
 */
export function sharedProfileChange(
  before: Profile,
  after: Profile,
): { changedFields: ['displayName']; old: { displayName?: string }; new: { displayName?: string } } | null {
  if (before.displayName === after.displayName) return null;
  return {
    changedFields: ['displayName'],
    old: before.displayName === undefined ? {} : { displayName: before.displayName },
    new: after.displayName === undefined ? {} : { displayName: after.displayName },
  };
}
