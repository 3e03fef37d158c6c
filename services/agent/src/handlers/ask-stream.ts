/**
 * POST /agent/stream: the answer as server-sent events (`text`, `tool_use`, `tool_result`, `error`,
 * a final `done`), written as the model produces it (../app/ask.ts, ../app/stream-answer.ts).
 */
import { createStreamingHttpHandler } from '@switchyard/runtime';
import { authenticateCaller } from '../adapters/caller';
import { askRequest } from '../api-schemas';
import { askDeps } from '../app/ask';
import { streamAnswer } from '../app/stream-answer';

export const handler = createStreamingHttpHandler({
  authenticate: authenticateCaller,
  body: askRequest,
  maxBodyBytes: 64 * 1024,
  handler: (request) => streamAnswer(request, askDeps()),
});
