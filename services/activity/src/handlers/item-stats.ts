/** GET /items/{itemId}/stats: the item's counters (kept by the stream aggregator). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { itemPath } from '../api-schemas';
import { authenticatePerson } from '../adapters/caller';
import { statsDeps } from '../app/deps';
import { itemStats } from '../app/stats';

export const handler = createHttpHandler({
  authenticate: authenticatePerson,
  path: itemPath,
  handler: async ({ caller, path }) => jsonResponse(200, await itemStats(caller, path.itemId, statsDeps())),
});
