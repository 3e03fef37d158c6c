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
    attempt: z
      .number()
      .int()
      .positive()
      .describe(
        'Position in the retry schedule, 1 for the first try. Manual attempts (resend, recover, ' +
          'test) are numbered by the engine when made; they carry the number the requester expected.',
      ),
    notBefore: timestamp().describe('Earliest time to attempt; later attempts back off.'),
    trigger: z
      .enum(['scheduled', 'resend', 'recover', 'test'])
      .optional()
      .describe(
        'What asked for the attempt: the retry schedule (the default when absent), or a person ' +
          'through the API (one attempt, outside the retry schedule).',
      ),
  },
});
export type DeliveryRequested = MessageOf<typeof DeliveryRequested>;
