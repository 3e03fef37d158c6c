import { createHttpHandler, jsonResponse, logger } from '@switchyard/runtime';
import { requireUserAdmin } from '../adapters/caller';
import { listKeysQuery } from '../api-schemas';
import { userDeps } from '../app/deps';
import { listUsers } from '../app/users';

/** GET /users?limit=&cursor= (tenant admins): the caller's tenant's people, newest first. */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireUserAdmin({ headers, logger }),
  query: listKeysQuery,
  handler: async ({ caller, query }) =>
    jsonResponse(200, await listUsers(userDeps(), caller.tenantId, query)),
});
