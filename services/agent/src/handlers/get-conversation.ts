/** GET /agent/conversations/{conversationId}: one of the caller's conversations, its last 20 turns. */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { authenticateCaller } from '../adapters/caller';
import { conversationPath } from '../api-schemas';
import { conversationDeps, getConversation } from '../app/conversations';

export const handler = createHttpHandler({
  authenticate: authenticateCaller,
  path: conversationPath,
  handler: async ({ caller, path }) =>
    jsonResponse(200, await getConversation(caller, path.conversationId, conversationDeps())),
});
