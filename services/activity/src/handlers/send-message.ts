/** POST /messages/conversations/{conversationId} {text, attachments?}: a message (participants only). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { conversationPath, MESSAGE_BODY_BYTES, messageBody } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { sendMessage } from '../app/conversations';
import { conversationDeps } from '../app/deps';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  path: conversationPath,
  body: messageBody,
  maxBodyBytes: MESSAGE_BODY_BYTES,
  handler: async ({ caller, path, body }) =>
    jsonResponse(201, await sendMessage(caller, path.conversationId, body, conversationDeps())),
});
