/** PUT /comments/{itemId}/{commentId} {text}: the author edits (the last 5 versions kept). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { COMMENT_BODY_BYTES, commentBody, commentPath } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { updateComment } from '../app/comments';
import { commentDeps } from '../app/deps';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  path: commentPath,
  body: commentBody,
  maxBodyBytes: COMMENT_BODY_BYTES,
  handler: async ({ caller, path, body }) =>
    jsonResponse(200, await updateComment(caller, path.itemId, path.commentId, body.text, commentDeps())),
});
