import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';
import { itemId, textPreview } from './fields';

export const CommentCreated = defineContract({
  service: 'activity',
  detailType: 'CommentCreated',
  version: 1,
  description:
    'A person commented on an item. `earlierCommenterIds` are the people who had commented on the ' +
    'item before (without the author), so a consumer can tell them without keeping its own list.',
  body: {
    commentId: identifier(),
    itemId: itemId(),
    authorId: identifier(),
    authorDisplayName: z.string().min(1).max(200).optional(),
    textPreview: textPreview(),
    earlierCommenterIds: z.array(identifier()).max(200).describe('At most the 200 most recent.'),
    createdAt: timestamp(),
  },
});
export type CommentCreated = MessageOf<typeof CommentCreated>;
