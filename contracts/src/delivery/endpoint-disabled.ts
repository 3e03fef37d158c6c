import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const EndpointDisabled = defineContract({
  service: 'delivery',
  detailType: 'EndpointDisabled',
  version: 1,
  description:
    'Delivery stopped sending to a webhook endpoint: it answered 410 Gone, or failed for too long.',
  body: {
    subscriptionId: identifier(),
    url: z.url().max(2048),
    reason: z.enum(['gone', 'failing']),
    disabledAt: timestamp(),
  },
});
export type EndpointDisabled = MessageOf<typeof EndpointDisabled>;
