import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const DeliveryRequested = defineContract({
  service: 'delivery',
  detailType: 'DeliveryRequested',
  version: 1,
  channel: 'queue',
  description:
    "One attempt to deliver an event to one subscription's webhook, on delivery's internal work queue.",
  body: {
    subscriptionId: identifier(),
    eventId: identifier(),
    attempt: z.number().int().positive().describe('1 for the first try.'),
    notBefore: timestamp().describe('Earliest time to attempt; later attempts back off.'),
  },
});
export type DeliveryRequested = MessageOf<typeof DeliveryRequested>;
