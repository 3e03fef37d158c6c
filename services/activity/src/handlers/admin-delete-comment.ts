/** DELETE /admin/comments/{itemId}/{commentId}: an admin's soft delete of anyone's comment. */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { commentPath } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { removeComment } from '../app/comments';
import { commentDeps } from '../app/deps';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  path: commentPath,
  handler: async ({ caller, path }) => {
    await removeComment(caller, path.itemId, path.commentId, true, commentDeps());
    return jsonResponse(204);
  },
});
