import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { eventIdPathSchema } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { eventDeliveries, historyDeps } from '../app/delivery-history';

/**
 * GET /events/{id}/deliveries: one of the tenant's events as delivery saw it: a message per
 * subscription with every attempt. The read is keyed by the caller's tenant, so another tenant's
 * event is a 404 like an unknown one.
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: eventIdPathSchema,
  handler: async ({ caller, path }) =>
    jsonResponse(200, await eventDeliveries(caller, path.id, historyDeps())),
});
