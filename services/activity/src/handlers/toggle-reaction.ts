/** POST /reactions/{commentId} {type?}: adds or removes the caller's reaction; {reacted, counts}. */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { commentIdPath, reactionBody } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { reactionDeps } from '../app/deps';
import { toggleReaction } from '../app/reactions';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  path: commentIdPath,
  body: reactionBody,
  maxBodyBytes: 1024,
  handler: async ({ caller, path, body }) =>
    jsonResponse(200, await toggleReaction(caller, path.commentId, body.type, reactionDeps())),
});
