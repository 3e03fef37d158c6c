/**
 * A tenant's people, for its admins (`/users`) and operators (`/operator/.../users`): invite, list,
 * read, change groups or status, remove. The scope says whose tenant and who acts, as for keys.
 *
 * Suspending or removing a person ends their sessions in the same transaction (their session epoch
 * moves on, or their user item is gone), and revokes the API keys they own right after it commits;
 * the `user-lifecycle` stream consumer does the same from the event in the outbox, so the keys are
 * revoked even if this process dies in between.
 */
import { conflict, notFound } from '@switchyard/runtime';
import type { UserStore, UserWriteOutcome } from '../adapters/user-store';
import type { ListKeysQuery } from '../api-schemas';
import { isId } from '../domain/random';
import type { InviteUserInput, UserPatch, UserRecord, UserView } from '../domain/users';
import { newInvitedUser, planUserUpdate, toUserView } from '../domain/users';
import type { KeyScope } from './api-keys';
import { listTenantPage, revokeApiKeysOwnedBy } from './api-keys';
import type { IdentityDeps } from './deps';

/** Tenants and keys, plus the tenant's people. */
export interface UserDeps extends IdentityDeps {
  users: UserStore;
}

/** A user change lost to a concurrent one is decided again on what it wrote, this often in all. */
const ATTEMPTS = 3;

export const LAST_ADMIN_MESSAGE = 'A tenant must keep at least one active admin.';

const noSuchUser = () => notFound('No such user.');

/** A new member of the scope's tenant (UserCreated); the invitation e-mail follows from its event. */
export async function inviteUser(deps: UserDeps, scope: KeyScope, input: InviteUserInput): Promise<UserView> {
  const user = newInvitedUser(
    { ...input, tenantId: scope.tenantId, invitedBy: scope.actorId },
    { now: deps.now(), random: deps.random },
  );
  await deps.users.inviteUser(user);
  return toUserView(user);
}

/** One page of a tenant's people, newest first; the cursor is signed and bound to tenant and listing. */
export function listUsers(
  deps: Pick<UserDeps, 'users' | 'store'>,
  tenantId: string,
  query: ListKeysQuery,
): Promise<{ items: UserView[]; nextCursor: string | null }> {
  return listTenantPage(
    deps,
    { tenantId, listing: 'users', query },
    (options) => deps.users.listUsers(tenantId, options),
    toUserView,
  );
}

/** A user of `tenantId`, read consistently; 404 for anyone else's, exactly like a missing one. */
async function requireUser(
  deps: Pick<UserDeps, 'users'>,
  tenantId: string,
  userId: string,
): Promise<UserRecord> {
  const user = isId('user', userId) ? await deps.users.getUser(userId, { consistent: true }) : undefined;
  if (!user || user.tenantId !== tenantId) throw noSuchUser();
  return user;
}

export async function getUser(
  deps: Pick<UserDeps, 'users'>,
  tenantId: string,
  userId: string,
): Promise<UserView> {
  return toUserView(await requireUser(deps, tenantId, userId));
}

/**
 * Changes a user's groups or status (UserUpdated). 409 `last_admin` when it would leave the tenant
 * without an active admin; suspending ends their sessions and revokes their keys.
 */
export async function changeUser(
  deps: UserDeps,
  scope: KeyScope,
  userId: string,
  patch: UserPatch,
): Promise<UserView> {
  return retryStale(async () => {
    const current = await requireUser(deps, scope.tenantId, userId);
    const change = planUserUpdate(current, patch, deps.now());
    if (change.outcome === 'unchanged') return { outcome: 'written', result: toUserView(current) };
    const outcome = await deps.users.updateUser(current, change, scope.actorId);
    if (outcome === 'written' && change.suspended) await revokeKeysOf(deps, current, scope.actorId);
    return { outcome, result: toUserView(change.next) };
  });
}

/**
 * Removes a user for good (UserRemoved): their sessions end and their keys are revoked. 409
 * `last_admin` for the tenant's last active admin.
 */
export async function removeUser(deps: UserDeps, scope: KeyScope, userId: string): Promise<void> {
  await retryStale(async () => {
    const current = await requireUser(deps, scope.tenantId, userId);
    const outcome = await deps.users.removeUser(current, { removedBy: scope.actorId, now: deps.now() });
    if (outcome === 'written') await revokeKeysOf(deps, current, scope.actorId);
    return { outcome, result: undefined };
  });
}

/** Removes any tenant's user (operators): the user's own tenant is the scope. 404 for an unknown user. */
export async function removeAnyUser(
  deps: UserDeps,
  actorId: string,
  userId: string,
): Promise<{ tenantId: string; userId: string }> {
  const user = isId('user', userId) ? await deps.users.getUser(userId, { consistent: true }) : undefined;
  if (!user) throw noSuchUser();
  await removeUser(deps, { tenantId: user.tenantId, actorId }, user.userId);
  return { tenantId: user.tenantId, userId: user.userId };
}

/** The keys a suspended or removed person owns in their tenant, revoked now. */
async function revokeKeysOf(deps: UserDeps, user: UserRecord, actorId: string): Promise<void> {
  await revokeApiKeysOwnedBy(deps, { email: user.email, tenantId: user.tenantId, actorId });
}

async function retryStale<T>(attempt: () => Promise<{ outcome: UserWriteOutcome; result: T }>): Promise<T> {
  for (let round = 1; ; round++) {
    const { outcome, result } = await attempt();
    if (outcome === 'written') return result;
    if (outcome === 'last_admin') throw conflict(LAST_ADMIN_MESSAGE, { code: 'last_admin' });
    if (round >= ATTEMPTS) throw conflict('The user is being changed elsewhere; try again.');
  }
}
