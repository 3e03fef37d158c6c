import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const ConversationCreated = defineContract({
  service: 'activity',
  detailType: 'ConversationCreated',
  version: 1,
  description: 'A conversation between people of one tenant began (direct: two people; group: more).',
  body: {
    conversationId: identifier(),
    kind: z.enum(['direct', 'group']),
    participantIds: z.array(identifier()).min(2).max(50),
    createdBy: identifier(),
    createdAt: timestamp(),
  },
});
export type ConversationCreated = MessageOf<typeof ConversationCreated>;
