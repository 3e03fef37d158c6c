import { createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { eventIdPathSchema } from '../api-schemas';
import { apiStore } from '../adapters/api-store';
import { authenticateAdmin } from '../adapters/caller';
import { toEventDeliveriesView } from '../domain/subscriptions';

/**
 * GET /events/{id}/deliveries: one of the tenant's events as delivery saw it: a message per
 * subscription with every attempt. The read is keyed by the caller's tenant, so another tenant's
 * event is a 404 like an unknown one.
 */
export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  path: eventIdPathSchema,
  handler: async ({ caller, path }) => {
    const found = await apiStore().getEventDeliveries(caller.tenantId, path.id);
    const view = toEventDeliveriesView(path.id, found.event, found.messages, found.attempts);
    if (!view) throw notFound('No deliveries for this event');
    return jsonResponse(200, view);
  },
});
