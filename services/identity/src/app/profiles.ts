/** Profile use cases of the people-authorised routes: viewing someone's profile, editing one's own. */
import type { PersonActivityChanged } from '@switchyard/contracts';
import { conflict, forbidden, notFound } from '@switchyard/runtime';
import type { ProfileStore } from '../adapters/profile-store';
import { ProfileConflictError } from '../adapters/profile-store';
import type { ProfileUpdate, PublicProfile, ViewedProfile, Viewer } from '../domain/profiles';
import { applyProfileUpdate, profileAccess, toPublicProfile, withActivity } from '../domain/profiles';

/** Saves that lose a race with another writer are retried this often in all, then 409. */
const ATTEMPTS = 3;

/**
 * A public profile to anyone of the same tenant; a private one to its owner and the tenant's
 * `Admins` only (403 otherwise); 404 for an unknown user and for users of other tenants. The
 * owner reads their own consistently (they may have just saved it).
 */
export async function viewProfile(
  store: ProfileStore,
  viewer: Viewer,
  userId: string,
): Promise<ViewedProfile> {
  const [loaded, activity] = await Promise.all([
    store.load(userId, { consistent: userId === viewer.userId }),
    store.activityOf(userId),
  ]);
  const access = profileAccess(loaded?.profile, viewer);
  if (!loaded || access.outcome === 'not_found') throw notFound('No such user');
  if (access.outcome === 'forbidden') throw forbidden('This profile is private');
  return withActivity(loaded.profile, access.body, activity);
}

/**
 * activity's PersonActivityChanged: the person's totals, the highest `countersVersion` kept, so
 * redeliveries and late older messages change nothing. A message naming an unknown (or removed)
 * user, or a user of another tenant, changes nothing either. What it did is the answer, for the log.
 */
export async function projectPersonActivity(
  store: ProfileStore,
  message: PersonActivityChanged,
): Promise<'kept' | 'stale' | 'no_such_user'> {
  const user = await store.getUser(message.userId, { consistent: true });
  if (!user || user.tenantId !== message.tenantId) return 'no_such_user';
  const kept = await store.saveActivity(message.userId, {
    tenantId: message.tenantId,
    commentCount: message.commentCount,
    ...(message.lastActiveAt ? { lastActiveAt: message.lastActiveAt } : {}),
    countersVersion: message.countersVersion,
  });
  return kept ? 'kept' : 'stale';
}

/**
 * Applies an update to the caller's own profile: reload and re-apply when a concurrent save won,
 * write nothing when nothing changed. ProfileUpdated goes out through the outbox, in the same
 * transaction, when a field other services keep changed.
 */
export async function updateOwnProfile(
  store: ProfileStore,
  userId: string,
  update: ProfileUpdate,
  now: () => Date = () => new Date(),
): Promise<PublicProfile> {
  for (let attempt = 1; ; attempt++) {
    const loaded = await store.load(userId, { consistent: true });
    if (!loaded) throw notFound('No such user');
    const applied = applyProfileUpdate(loaded.profile, update, now());
    if (applied.changedFields.length === 0) return toPublicProfile(loaded.profile);
    try {
      await store.save(loaded, applied.profile);
      return toPublicProfile(applied.profile);
    } catch (error) {
      if (!(error instanceof ProfileConflictError)) throw error;
      if (attempt >= ATTEMPTS) throw conflict('The profile is being changed elsewhere; try again.');
    }
  }
}
