import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';
import { itemId } from './fields';

export const CommentDeleted = defineContract({
  service: 'activity',
  detailType: 'CommentDeleted',
  version: 1,
  description: 'A comment was deleted (soft: it stays in the list as a tombstone) by its author or an admin.',
  body: {
    commentId: identifier(),
    itemId: itemId(),
    authorId: identifier(),
    deletedBy: identifier(),
    byAdmin: z.boolean(),
    deletedAt: timestamp(),
  },
});
export type CommentDeleted = MessageOf<typeof CommentDeleted>;
