import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';
import { itemId, textPreview } from './fields';

export const CommentEdited = defineContract({
  service: 'activity',
  detailType: 'CommentEdited',
  version: 1,
  description: 'The author changed the text of their comment.',
  body: {
    commentId: identifier(),
    itemId: itemId(),
    authorId: identifier(),
    textPreview: textPreview(),
    editedAt: timestamp(),
  },
});
export type CommentEdited = MessageOf<typeof CommentEdited>;
