import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';
import { itemId, reactionType } from './fields';

export const ReactionAdded = defineContract({
  service: 'activity',
  detailType: 'ReactionAdded',
  version: 1,
  description: 'A person reacted to a comment. `commentAuthorId` is whom a notification is for.',
  body: {
    commentId: identifier(),
    itemId: itemId(),
    commentAuthorId: identifier(),
    reactorId: identifier(),
    type: reactionType,
    addedAt: timestamp(),
  },
});
export type ReactionAdded = MessageOf<typeof ReactionAdded>;
