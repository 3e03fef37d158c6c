import { createHttpHandler, forbidden, jsonResponse, notFound } from '@switchyard/runtime';
import { z } from 'zod';
import { callerFromEvent, ProfileStore } from '../adapters/profile-store';
import { config } from '../config';
import { profileAccess } from '../domain/profiles';

/**
 * GET /profile/{userId} (people authorizer): a public profile to anyone of the same tenant; a
 * private one to its owner and the tenant's `Admins` only (403 otherwise); 404 for an unknown user
 * and for users of other tenants.
 */
export const handler = createHttpHandler({
  path: z.object({ userId: z.string().min(1).max(128) }),
  handler: async ({ path, event }) => {
    const store = new ProfileStore(config().TABLE_NAME);
    const viewer = await callerFromEvent(event, store);
    const loaded = await store.load(path.userId, { consistent: path.userId === viewer.userId });
    const access = profileAccess(loaded?.profile, viewer);
    if (access.outcome === 'not_found') throw notFound('No such user');
    if (access.outcome === 'forbidden') throw forbidden('This profile is private');
    return jsonResponse(200, access.body);
  },
});
