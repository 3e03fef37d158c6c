/** GET /agent/conversations: the caller's own conversations. */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { authenticateCaller } from '../adapters/caller';
import { conversationDeps, listConversations } from '../app/conversations';

export const handler = createHttpHandler({
  authenticate: authenticateCaller,
  handler: async ({ caller }) => jsonResponse(200, await listConversations(caller, conversationDeps())),
});
