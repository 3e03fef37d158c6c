import { conflict, createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { callerFromEvent, ProfileConflictError, ProfileStore } from '../adapters/profile-store';
import { config } from '../config';
import type { ProfileUpdate, PublicProfile } from '../domain/profiles';
import { applyProfileUpdate, profileUpdateSchema, toPublicProfile } from '../domain/profiles';

const ATTEMPTS = 3;

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

/** PUT /profile (people authorizer): the caller's own profile only (userId = the token's user). */
export const handler = createHttpHandler({
  body: profileUpdateSchema,
  maxBodyBytes: 16 * 1024,
  handler: async ({ body, event }) => {
    const store = new ProfileStore(config().TABLE_NAME);
    const caller = await callerFromEvent(event, store);
    return jsonResponse(200, await updateOwnProfile(store, caller.userId, body));
  },
});
