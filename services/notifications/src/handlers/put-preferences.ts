/** PUT /notifications/preferences: sets the caller's mode for the categories given. */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { authenticatePerson } from '../adapters/caller';
import { putPreferencesRequest } from '../api-schemas';
import { preferencesDeps } from '../app/deps';
import { putPreferences } from '../app/preferences';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  body: putPreferencesRequest,
  maxBodyBytes: 4 * 1024,
  handler: async ({ caller, body }) =>
    jsonResponse(200, await putPreferences(caller, body.preferences, preferencesDeps())),
});
