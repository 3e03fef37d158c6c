/** GET /messages/conversations: the caller's conversations, newest activity first, with unread counts. */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { listQuery } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { listConversations } from '../app/conversations';
import { conversationDeps } from '../app/deps';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  query: listQuery,
  handler: async ({ caller, query }) =>
    jsonResponse(200, await listConversations(caller, query, conversationDeps())),
});
