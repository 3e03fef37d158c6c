/**
 * What follows a change of a person, driven by its event in identity's outbox (the table's stream),
 * so it happens even if the request that made the change died right after committing it:
 *
 * - UserCreated with `invitedBy`: the invitation e-mail (who invited them to which tenant, and how
 *   to sign in; no secret). At least once: a retried stream record may send it twice.
 * - UserUpdated that suspends, UserRemoved: the API keys the person owns in that tenant are revoked
 *   (idempotent; the request that made the change already tried, this makes sure).
 */
import type { OutboxItem } from '@switchyard/runtime';
import { UserCreated, UserRemoved, UserUpdated } from '@switchyard/contracts';
import { logger } from '@switchyard/runtime';
import type { Mailer, SignInPlace } from '../adapters/mailer';
import { isId } from '../domain/random';
import { revokeApiKeysOwnedBy } from './api-keys';
import type { UserDeps } from './users';

export interface LifecycleDeps extends UserDeps {
  mailer: Pick<Mailer, 'sendInvitation'>;
  signIn: SignInPlace;
}

/** Acts on one outbox item; other events are not this consumer's business. Throws to be retried. */
export async function followUserEvent(deps: LifecycleDeps, item: OutboxItem): Promise<void> {
  const detail: unknown = JSON.parse(item.message);
  switch (item.detailType) {
    case UserCreated.detailType: {
      const created = UserCreated.schema.parse(detail);
      if (created.invitedBy !== undefined) await sendInvitation(deps, created);
      return;
    }
    case UserUpdated.detailType: {
      const updated = UserUpdated.schema.parse(detail);
      if (updated.old.status !== 'active' || updated.new.status !== 'suspended') return;
      await revokeKeys(deps, updated.tenantId, updated.new.email, updated.updatedBy, updated.updatedAt);
      return;
    }
    case UserRemoved.detailType: {
      const removed = UserRemoved.schema.parse(detail);
      await revokeKeys(deps, removed.tenantId, removed.email, removed.removedBy, removed.removedAt);
      return;
    }
  }
}

async function revokeKeys(
  deps: LifecycleDeps,
  tenantId: string,
  email: string,
  actorId: string | undefined,
  changedAt: string,
): Promise<void> {
  const revoked = await revokeApiKeysOwnedBy(deps, {
    email,
    tenantId,
    actorId: actorId ?? 'identity',
    createdBefore: changedAt,
  });
  if (revoked.length > 0) logger.info('api keys of a departed user revoked', { tenantId, keyIds: revoked });
}

async function sendInvitation(deps: LifecycleDeps, created: UserCreated): Promise<void> {
  const tenant = await deps.store.getTenant(created.tenantId, { consistent: true });
  if (!tenant) throw new Error(`UserCreated ${created.id}: tenant ${created.tenantId} does not exist`);
  const inviter = created.invitedBy
    ? await inviterName(deps, created.tenantId, created.invitedBy)
    : undefined;
  await deps.mailer.sendInvitation({
    to: created.email,
    ...(inviter === undefined ? {} : { inviter }),
    tenantName: tenant.name,
    signIn: deps.signIn,
  });
  logger.info('invitation sent', { tenantId: created.tenantId, userId: created.userId });
}

/**
 * How the invitation names who sent it: a person by their display name or e-mail, an API key by its
 * owner's e-mail; an operator, or a key without owner, by nobody in particular.
 */
async function inviterName(
  deps: LifecycleDeps,
  tenantId: string,
  invitedBy: string,
): Promise<string | undefined> {
  if (isId('user', invitedBy)) {
    const user = await deps.users.getUser(invitedBy);
    return user?.tenantId === tenantId ? (user.displayName ?? user.email) : undefined;
  }
  if (invitedBy.startsWith('key:')) {
    const key = await deps.store.getApiKey(invitedBy.slice('key:'.length));
    return key?.tenantId === tenantId ? key.ownerEmail : undefined;
  }
  return undefined;
}
