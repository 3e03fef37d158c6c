/** PUT /messages/conversations/{conversationId}/read: the caller's unread count back to 0. */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { conversationPath } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { markRead } from '../app/conversations';
import { conversationDeps } from '../app/deps';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  path: conversationPath,
  handler: async ({ caller, path }) =>
    jsonResponse(200, await markRead(caller, path.conversationId, conversationDeps())),
});
