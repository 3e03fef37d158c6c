/**
 * A tenant's people: who is invited, their groups and status, what a change means for the tenant's
 * count of admins, and what other services are told. A tenant always keeps at least one active admin
 * (the store enforces it with a conditional counter on the tenant; this module says by how much
 * each change moves it).
 *
 * Every stored user has a `revision` (1 when created, one more for every change, also when a profile
 * changes the display name) that the table writes are conditioned on and the events carry, and a
 * `sessionEpoch` that every session records at sign-in: suspending a person moves it on, which ends
 * every session they had in the same write.
 */
import { z } from 'zod';
import type { Role } from './api-keys';
import { displayNameSchema } from './profiles';
import type { RandomBytes } from './random';
import { newId } from './random';
import type { User } from './tenants';
import { ADMINS_GROUP, emailSchema } from './tenants';

export const USER_GROUPS = ['Admins', 'Creators', 'Viewers'] as const;
export type UserGroup = (typeof USER_GROUPS)[number];

export const USER_STATUSES = ['active', 'suspended'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

export const groupsSchema = z
  .array(z.enum(USER_GROUPS))
  .max(USER_GROUPS.length)
  .refine((groups) => new Set(groups).size === groups.length, 'groups must not repeat');

/** `POST /users` and `POST /operator/tenants/{tenantId}/users`. */
export const inviteUserSchema = z.strictObject({
  email: emailSchema,
  groups: groupsSchema.optional(),
  displayName: displayNameSchema.optional(),
});
export type InviteUserInput = z.output<typeof inviteUserSchema>;

/** `PATCH /users/{userId}`: at least one of the two. */
export const updateUserSchema = z
  .strictObject({
    groups: groupsSchema.optional(),
    status: z.enum(USER_STATUSES).optional(),
  })
  .refine((patch) => patch.groups !== undefined || patch.status !== undefined, {
    message: 'groups or status is required',
  });
export type UserPatch = z.output<typeof updateUserSchema>;

/** A user as identity stores them: the tenant's `User` plus what this module manages. */
export interface UserRecord extends User {
  status: UserStatus;
  displayName?: string;
  /** Who invited them (`usr_…`, `key:<keyId>` or an operator); absent for a tenant's first admin. */
  invitedBy?: string;
  updatedAt?: string;
  revision: number;
  sessionEpoch: number;
}

/** The role other services read (contracts' `role`): the most privileged of the groups. */
export function roleForGroups(groups: readonly string[]): Role {
  if (groups.includes(ADMINS_GROUP)) return 'admin';
  if (groups.includes('Creators')) return 'creator';
  return 'viewer';
}

/** Groups in a fixed order, so equal sets compare equal and events read the same way. */
export function sortGroups(groups: readonly string[]): UserGroup[] {
  return USER_GROUPS.filter((group) => groups.includes(group));
}

/** Counts towards the tenant's admins: may sign in and is in `Admins`. */
export function isActiveAdmin(user: Pick<UserRecord, 'status' | 'groups'>): boolean {
  return user.status === 'active' && user.groups.includes(ADMINS_GROUP);
}

/** By how much a change (`after` undefined: a removal) moves the tenant's count of active admins. */
export function adminDelta(before: UserRecord | undefined, after: UserRecord | undefined): -1 | 0 | 1 {
  const was = before !== undefined && isActiveAdmin(before);
  const is = after !== undefined && isActiveAdmin(after);
  return was === is ? 0 : is ? 1 : -1;
}

/** A person invited to `tenantId`, active from the start (they sign in with an e-mailed code). */
export function newInvitedUser(
  input: InviteUserInput & { tenantId: string; invitedBy: string },
  deps: { now: Date; random: RandomBytes },
): UserRecord {
  const groups = sortGroups(input.groups ?? []);
  return {
    userId: newId('user', deps.now, deps.random),
    tenantId: input.tenantId,
    email: input.email,
    emailVerified: false,
    role: roleForGroups(groups),
    groups,
    status: 'active',
    ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
    invitedBy: input.invitedBy,
    createdAt: deps.now.toISOString(),
    revision: 1,
    sessionEpoch: 0,
  };
}

export type UserField = 'email' | 'displayName' | 'groups' | 'status';

export type PlannedChange =
  | { outcome: 'unchanged' }
  | {
      outcome: 'changed';
      next: UserRecord & { updatedAt: string };
      changedFields: UserField[];
      adminDelta: -1 | 0 | 1;
      /** The person was just suspended: their sessions and API keys must end. */
      suspended: boolean;
    };

/**
 * Applies a tenant admin's patch. Suspending ends every session (the epoch moves on); reactivating
 * does not bring old sessions back. Changing nothing writes nothing.
 */
export function planUserUpdate(current: UserRecord, patch: UserPatch, now: Date): PlannedChange {
  const next: UserRecord = { ...current };
  const changedFields: UserField[] = [];
  if (patch.groups !== undefined) {
    const groups = sortGroups(patch.groups);
    if (groups.join() !== sortGroups(current.groups).join()) {
      next.groups = groups;
      next.role = roleForGroups(groups);
      changedFields.push('groups');
    }
  }
  const suspended = patch.status === 'suspended' && current.status !== 'suspended';
  if (patch.status !== undefined && patch.status !== current.status) {
    next.status = patch.status;
    changedFields.push('status');
    if (suspended) next.sessionEpoch = current.sessionEpoch + 1;
  }
  if (changedFields.length === 0) return { outcome: 'unchanged' };
  return {
    outcome: 'changed',
    next: { ...next, revision: current.revision + 1, updatedAt: now.toISOString() },
    changedFields,
    adminDelta: adminDelta(current, next),
    suspended,
  };
}

/** The person's own display name changed (through their profile); undefined clears it. */
export function planDisplayNameChange(
  current: UserRecord,
  displayName: string | undefined,
  now: Date,
): PlannedChange {
  if (current.displayName === displayName) return { outcome: 'unchanged' };
  const next = { ...current, revision: current.revision + 1, updatedAt: now.toISOString() };
  if (displayName === undefined) delete next.displayName;
  else next.displayName = displayName;
  return { outcome: 'changed', next, changedFields: ['displayName'], adminDelta: 0, suspended: false };
}

/** What other services keep of a user (UserUpdated's `old` / `new`, UserRemoved's body). */
export function userState(user: UserRecord) {
  return {
    email: user.email,
    ...(user.displayName === undefined ? {} : { displayName: user.displayName }),
    groups: sortGroups(user.groups),
    role: roleForGroups(user.groups),
    status: user.status,
  };
}

/** A user as the API shows them: every field present, `null` when unset; nothing internal. */
export interface UserView {
  userId: string;
  tenantId: string;
  email: string;
  displayName: string | null;
  groups: UserGroup[];
  role: Role;
  status: UserStatus;
  emailVerified: boolean;
  invitedBy: string | null;
  createdAt: string;
  updatedAt: string | null;
}

export function toUserView(user: UserRecord): UserView {
  return {
    userId: user.userId,
    tenantId: user.tenantId,
    email: user.email,
    displayName: user.displayName ?? null,
    groups: sortGroups(user.groups),
    role: roleForGroups(user.groups),
    status: user.status,
    emailVerified: user.emailVerified,
    invitedBy: user.invitedBy ?? null,
    createdAt: user.createdAt,
    updatedAt: user.updatedAt ?? null,
  };
}

/**
 * A stored user item read back, with defaults for users written before statuses, revisions and
 * session epochs existed (they are active, at revision 1, epoch 0). Undefined when it is no user.
 */
export function userFromItem(item: Record<string, unknown> | undefined): UserRecord | undefined {
  if (!item || typeof item.userId !== 'string' || typeof item.tenantId !== 'string') return undefined;
  const groups = Array.isArray(item.groups)
    ? item.groups.filter((g): g is string => typeof g === 'string')
    : [];
  return {
    userId: item.userId,
    tenantId: item.tenantId,
    email: String(item.email),
    emailVerified: item.emailVerified === true,
    role: roleForGroups(groups),
    groups,
    status: item.status === 'suspended' ? 'suspended' : 'active',
    ...(typeof item.displayName === 'string' ? { displayName: item.displayName } : {}),
    ...(typeof item.invitedBy === 'string' ? { invitedBy: item.invitedBy } : {}),
    createdAt: String(item.createdAt),
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
    revision: typeof item.revision === 'number' ? item.revision : 1,
    sessionEpoch: typeof item.sessionEpoch === 'number' ? item.sessionEpoch : 0,
  };
}
