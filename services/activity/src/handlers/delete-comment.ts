/** DELETE /comments/{itemId}/{commentId}: the author's soft delete (a tombstone stays). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { commentPath } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { removeComment } from '../app/comments';
import { commentDeps } from '../app/deps';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  path: commentPath,
  handler: async ({ caller, path }) => {
    await removeComment(caller, path.itemId, path.commentId, false, commentDeps());
    return jsonResponse(204);
  },
});
