import { conflict, createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { eventIdPathSchema, releaseLeaseRequestSchema } from '../api-schemas';
import { authenticate } from '../adapters/caller';
import { inboxStore } from '../adapters/inbox-store';

/**
 * POST /events/{id}/release: the lease holder gives the event back, so the next listing returns it.
 * 204 when released or when the lease had already ended; 409 when another lease holds the event
 * (`lease_mismatch`) or it was acknowledged (`already_acknowledged`); 404 when there is no such event.
 */
export const handler = createHttpHandler({
  authenticate: ({ headers }) => authenticate(headers, 'events:ack'),
  path: eventIdPathSchema,
  body: releaseLeaseRequestSchema,
  handler: async ({ caller, path, body }) => {
    const decision = await inboxStore().release(caller.tenantId, path.id, body.lease_token);
    switch (decision.outcome) {
      case 'not_found':
        throw notFound('No such event');
      case 'lease_mismatch':
        throw conflict('The event is leased with another token', { code: 'lease_mismatch' });
      case 'already_acknowledged':
        throw conflict('The event was already acknowledged', { code: 'already_acknowledged' });
      case 'release':
      case 'not_leased':
        return jsonResponse(204);
    }
  },
});
