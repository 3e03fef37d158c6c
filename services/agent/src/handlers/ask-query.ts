/** POST /agent/query: the whole answer at once (../app/ask.ts). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { authenticateCaller } from '../adapters/caller';
import { askRequest } from '../api-schemas';
import { ask, askDeps } from '../app/ask';

export const handler = createHttpHandler({
  authenticate: authenticateCaller,
  body: askRequest,
  // 4,000 characters of UTF-8 and some context: anything bigger is refused before parsing.
  maxBodyBytes: 64 * 1024,
  handler: async ({ caller, body, signal }) =>
    jsonResponse(200, await ask(caller, body, askDeps(), undefined, signal)),
});
