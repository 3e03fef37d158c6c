import { createHttpHandler, jsonResponse, logger } from '@switchyard/runtime';
import { z } from 'zod';
import { requireUserAdmin } from '../adapters/caller';
import { userDeps } from '../app/deps';
import { removeUser } from '../app/users';

/**
 * DELETE /users/{userId} (tenant admins): removes the person for good (UserRemoved), ending their
 * sessions and revoking their API keys. 404 for another tenant's user; 409 `last_admin`.
 */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireUserAdmin({ headers, logger }),
  path: z.object({ userId: z.string() }),
  handler: async ({ caller, path, logger }) => {
    await removeUser(userDeps(), caller, path.userId);
    logger.info('user removed', { tenantId: caller.tenantId, userId: path.userId, actor: caller.actorId });
    return jsonResponse(204);
  },
});
