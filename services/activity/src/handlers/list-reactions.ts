/** GET /reactions/{commentId}: who reacted, and the counts per type. */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { commentIdPath } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { reactionDeps } from '../app/deps';
import { listReactions } from '../app/reactions';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  path: commentIdPath,
  handler: async ({ caller, path }) =>
    jsonResponse(200, await listReactions(caller, path.commentId, reactionDeps())),
});
