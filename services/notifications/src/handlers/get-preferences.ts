/** GET /notifications/preferences: the caller's mode per category (defaults filled in). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { authenticatePerson } from '../adapters/caller';
import { preferencesDeps } from '../app/deps';
import { getPreferences } from '../app/preferences';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  handler: async ({ caller }) => jsonResponse(200, await getPreferences(caller, preferencesDeps())),
});
