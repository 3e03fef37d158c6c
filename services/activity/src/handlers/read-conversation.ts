/** GET /messages/conversations/{conversationId}: its messages, newest first (participants only). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { conversationPath, listQuery } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { readConversation } from '../app/conversations';
import { conversationDeps } from '../app/deps';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  path: conversationPath,
  query: listQuery,
  handler: async ({ caller, path, query }) =>
    jsonResponse(200, await readConversation(caller, path.conversationId, query, conversationDeps())),
});
