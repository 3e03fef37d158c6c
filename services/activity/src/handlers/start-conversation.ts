/** POST /messages/conversations {participantIds, text?}: a direct (same id again) or group conversation. */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { MESSAGE_BODY_BYTES, startConversationBody } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { startConversation } from '../app/conversations';
import { conversationDeps } from '../app/deps';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  body: startConversationBody,
  maxBodyBytes: MESSAGE_BODY_BYTES,
  handler: async ({ caller, body }) => {
    const started = await startConversation(caller, body, conversationDeps());
    return jsonResponse(started.status, started.body);
  },
});
