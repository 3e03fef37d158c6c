/** POST /comments/{itemId} {text}: a new comment (sanitized, rate limited per person). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { COMMENT_BODY_BYTES, commentBody, itemPath } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { createComment } from '../app/comments';
import { commentDeps } from '../app/deps';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  path: itemPath,
  body: commentBody,
  maxBodyBytes: COMMENT_BODY_BYTES,
  handler: async ({ caller, path, body }) =>
    jsonResponse(201, await createComment(caller, path.itemId, body.text, commentDeps())),
});
