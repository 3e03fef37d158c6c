import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { callerFromEvent } from '../adapters/profile-store';
import { profileStore } from '../app/deps';
import { updateOwnProfile } from '../app/profiles';
import { profileUpdateSchema } from '../domain/profiles';

/** PUT /profile (people authorizer): the caller's own profile only (userId = the token's user). */
export const handler = createHttpHandler({
  body: profileUpdateSchema,
  maxBodyBytes: 16 * 1024,
  handler: async ({ body, event }) => {
    const store = profileStore();
    const caller = await callerFromEvent(event, store);
    return jsonResponse(200, await updateOwnProfile(store, caller.userId, body));
  },
});
