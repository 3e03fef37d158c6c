import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const EventAcknowledged = defineContract({
  service: 'ingest',
  detailType: 'EventAcknowledged',
  version: 1,
  description:
    "A pull consumer acknowledged an event (DELETE /events/{id}): it left the tenant's inbox and will not be offered again.",
  body: {
    eventId: identifier(),
    acknowledgedAt: timestamp(),
    apiKeyId: identifier().optional().describe('The API key that acknowledged it.'),
  },
});
export type EventAcknowledged = MessageOf<typeof EventAcknowledged>;
