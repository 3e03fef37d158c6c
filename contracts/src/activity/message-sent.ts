import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';
import { textPreview } from './fields';

export const MessageSent = defineContract({
  service: 'activity',
  detailType: 'MessageSent',
  version: 1,
  description: 'A person sent a message in a conversation. Every participant but the sender is a recipient.',
  body: {
    conversationId: identifier(),
    messageId: identifier(),
    senderId: identifier(),
    senderDisplayName: z.string().min(1).max(200).optional(),
    participantIds: z.array(identifier()).min(2).max(50),
    textPreview: textPreview(),
    attachmentCount: z.number().int().nonnegative().max(10),
    sentAt: timestamp(),
  },
});
export type MessageSent = MessageOf<typeof MessageSent>;
