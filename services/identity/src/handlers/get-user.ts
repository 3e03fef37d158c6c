import { createHttpHandler, jsonResponse, logger } from '@switchyard/runtime';
import { z } from 'zod';
import { requireUserAdmin } from '../adapters/caller';
import { userDeps } from '../app/deps';
import { getUser } from '../app/users';

/** GET /users/{userId} (tenant admins): one of the caller's tenant's people; anyone else's is 404. */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireUserAdmin({ headers, logger }),
  path: z.object({ userId: z.string() }),
  handler: async ({ caller, path }) =>
    jsonResponse(200, { user: await getUser(userDeps(), caller.tenantId, path.userId) }),
});
