import { createHttpHandler, jsonResponse, logger } from '@switchyard/runtime';
import { requireKeyAdmin } from '../adapters/caller';
import { listKeysQuery } from '../api-schemas';
import { listApiKeys } from '../app/api-keys';
import { identityDeps } from '../app/deps';

/** GET /keys (tenant admins): the caller's tenant's keys, newest first, never the secret or its hash. */
export const handler = createHttpHandler({
  // Credentials first: an anonymous caller gets 401 whatever the request's shape.
  authenticate: ({ headers }) => requireKeyAdmin({ headers, logger }),
  query: listKeysQuery,
  handler: async ({ caller, query }) =>
    jsonResponse(200, await listApiKeys(identityDeps(), caller.tenantId, query)),
});
