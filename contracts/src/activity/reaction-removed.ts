import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';
import { itemId, reactionType } from './fields';

export const ReactionRemoved = defineContract({
  service: 'activity',
  detailType: 'ReactionRemoved',
  version: 1,
  description: 'A person took back their reaction to a comment.',
  body: {
    commentId: identifier(),
    itemId: itemId(),
    commentAuthorId: identifier(),
    reactorId: identifier(),
    type: reactionType,
    removedAt: timestamp(),
  },
});
export type ReactionRemoved = MessageOf<typeof ReactionRemoved>;
