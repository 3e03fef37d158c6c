import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const MessageExhausted = defineContract({
  service: 'delivery',
  detailType: 'MessageExhausted',
  version: 1,
  description: 'Delivery gave up on one webhook message after its last retry.',
  body: {
    subscriptionId: identifier(),
    eventId: identifier(),
    webhookMessageId: identifier(),
    attempts: z.number().int().positive(),
    lastError: z.object({
      statusCode: z.number().int().min(100).max(599).optional().describe('Absent when no response came.'),
      message: z.string().min(1).max(1000).describe('Short reason: status text, timeout, DNS failure...'),
    }),
    exhaustedAt: timestamp(),
  },
});
export type MessageExhausted = MessageOf<typeof MessageExhausted>;
