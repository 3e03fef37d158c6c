/**
 * activity's projection of identity's people: the display name its comments show and whether they
 * are still a person of the tenant. A name change is copied onto the person's existing comments.
 */
import type { ProfileUpdated, UserCreated, UserRemoved, UserUpdated } from '@switchyard/contracts';
import type { ActivityStore } from '../adapters/activity-store';

export interface PeopleDeps {
  store: Pick<ActivityStore, 'projectPerson' | 'authorCommentIds' | 'setAuthorName'>;
}

type PersonMessage = UserCreated | UserUpdated | UserRemoved | ProfileUpdated;

export async function projectPerson(
  message: PersonMessage,
  detailType: string,
  deps: PeopleDeps,
): Promise<void> {
  const { tenantId } = message;
  let name: string | null | undefined;
  let applied: boolean;
  if (detailType === 'UserCreated') {
    const m = message as UserCreated;
    name = m.displayName;
    applied = await deps.store.projectPerson(
      tenantId,
      m.userId,
      { displayName: m.displayName },
      { revision: 1 },
    );
  } else if (detailType === 'UserUpdated') {
    const m = message as UserUpdated;
    name = m.new.displayName ?? null;
    applied = await deps.store.projectPerson(
      tenantId,
      m.userId,
      { displayName: name },
      { revision: m.revision },
    );
    if (!m.changedFields.includes('displayName')) name = undefined;
  } else if (detailType === 'ProfileUpdated') {
    const m = message as ProfileUpdated;
    if (!m.changedFields.includes('displayName')) return;
    name = m.new.displayName ?? null;
    applied = await deps.store.projectPerson(
      tenantId,
      m.userId,
      { displayName: name },
      { profileAt: m.updatedAt },
    );
  } else {
    const m = message as UserRemoved;
    await deps.store.projectPerson(
      tenantId,
      m.userId,
      { removed: true },
      { revision: Number.MAX_SAFE_INTEGER },
    );
    return;
  }
  if (!applied || name === undefined || detailType === 'UserCreated') return;
  const userId = (message as { userId: string }).userId;
  // Every comment carries the name it is shown with; a redelivered message writes the same again.
  const ids = await deps.store.authorCommentIds(tenantId, userId);
  for (let i = 0; i < ids.length; i += 25) {
    await Promise.all(
      ids.slice(i, i + 25).map((id) => deps.store.setAuthorName(tenantId, id, name ?? undefined)),
    );
  }
}
