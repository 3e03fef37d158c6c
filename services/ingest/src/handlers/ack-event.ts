import { createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { eventIdPathSchema } from '../api-schemas';
import { authenticate } from '../adapters/caller';
import { inboxStore } from '../adapters/inbox-store';

/**
 * DELETE /events/{id}: acknowledges the event (it leaves the inbox for good). Idempotent: 204 again
 * for an event already acknowledged; 404 for one this tenant does not have. EventAcknowledged follows
 * from the table's stream (see adapters/inbox-store.ts).
 */
export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:ack'),
  path: eventIdPathSchema,
  handler: async ({ caller, path, logger }) => {
    const decision = await inboxStore().acknowledge(caller.tenantId, path.id, caller.keyId);
    if (decision.outcome === 'not_found') throw notFound('No such event');
    logger.info('event_acknowledged', { eventId: path.id, outcome: decision.outcome });
    return jsonResponse(204);
  },
});
