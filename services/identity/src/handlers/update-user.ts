import { createHttpHandler, jsonResponse, logger } from '@switchyard/runtime';
import { z } from 'zod';
import { requireUserAdmin } from '../adapters/caller';
import { userDeps } from '../app/deps';
import { changeUser } from '../app/users';
import { updateUserSchema } from '../domain/users';

/**
 * PATCH /users/{userId} {groups?, status?} (tenant admins): UserUpdated. Suspending ends the
 * person's sessions and revokes their API keys; 409 `last_admin` when the tenant would be left
 * without an active admin.
 */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireUserAdmin({ headers, logger }),
  path: z.object({ userId: z.string() }),
  body: updateUserSchema,
  maxBodyBytes: 4 * 1024,
  handler: async ({ caller, path, body, logger }) => {
    const user = await changeUser(userDeps(), caller, path.userId, body);
    logger.info('user updated', { tenantId: caller.tenantId, userId: user.userId, actor: caller.actorId });
    return jsonResponse(200, { user });
  },
});
