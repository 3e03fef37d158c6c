/** GET /comments/{itemId}: the item's comments, oldest first, with tamper-evident cursors. */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { itemPath, listQuery } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { listComments } from '../app/comments';
import { commentDeps } from '../app/deps';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  path: itemPath,
  query: listQuery,
  handler: async ({ caller, path, query }) =>
    jsonResponse(200, await listComments(caller, path.itemId, query, commentDeps())),
});
