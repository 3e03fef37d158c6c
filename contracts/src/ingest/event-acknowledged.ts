import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const EventAcknowledged = defineContract({
  service: 'ingest',
  detailType: 'EventAcknowledged',
  version: 1,
  description: 'Ingest acknowledged an event to its producer (stored durably, accepted for routing).',
  body: {
    eventId: identifier(),
    acknowledgedAt: timestamp(),
    apiKeyId: identifier().optional(),
  },
});
export type EventAcknowledged = MessageOf<typeof EventAcknowledged>;
