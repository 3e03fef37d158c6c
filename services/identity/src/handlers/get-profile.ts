import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { callerFromEvent } from '../adapters/profile-store';
import { profileStore } from '../app/deps';
import { viewProfile } from '../app/profiles';

/**
 * GET /profile/{userId} (people authorizer): a public profile to anyone of the same tenant; a
 * private one to its owner and the tenant's `Admins` only (403 otherwise); 404 for an unknown user
 * and for users of other tenants.
 */
export const handler = createHttpHandler({
  path: z.object({ userId: z.string().min(1).max(128) }),
  handler: async ({ path, event }) => {
    const store = profileStore();
    const viewer = await callerFromEvent(event, store);
    return jsonResponse(200, await viewProfile(store, viewer, path.userId));
  },
});
