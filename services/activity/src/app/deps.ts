/** The composition root: the adapters each group of use cases runs on, built from the environment. */
import { dynamoDbDocumentClient, tableCursorSecret } from '@switchyard/runtime';
import { activityStore } from '../adapters/activity-store';
import { attachmentStorage } from '../adapters/attachments';
import { conversationStore } from '../adapters/conversation-store';
import { config } from '../config';
import type { AggregateDeps } from './aggregate';
import type { CommentDeps } from './comments';
import type { ConversationDeps } from './conversations';
import type { PeopleDeps } from './people';
import type { ReactionDeps } from './reactions';
import type { StatsDeps } from './stats';
import type { UploadDeps } from './uploads';

const cursorSecret = tableCursorSecret({
  client: dynamoDbDocumentClient,
  tableName: () => config().ACTIVITY_TABLE,
  attributes: { kind: 'secret' },
});

export function commentDeps(): CommentDeps {
  return {
    store: activityStore(),
    cursorSecret,
    commentsPerMinute: config().COMMENTS_PER_MINUTE,
    now: () => new Date(),
  };
}

export const reactionDeps = (): ReactionDeps => ({ store: activityStore(), now: () => new Date() });
export const peopleDeps = (): PeopleDeps => ({ store: activityStore() });
export const aggregateDeps = (): AggregateDeps => ({ store: activityStore(), now: () => new Date() });
export const statsDeps = (): StatsDeps => ({ store: activityStore() });

const storage = () => attachmentStorage(() => config().ATTACHMENTS_BUCKET);

export const conversationDeps = (): ConversationDeps => ({
  conversations: conversationStore(),
  people: activityStore(),
  cursorSecret,
  storage: storage(),
  now: () => new Date(),
});

export const uploadDeps = (): UploadDeps => ({
  conversations: conversationStore(),
  storage: storage(),
  maxBytes: config().MAX_ATTACHMENT_BYTES,
  now: () => new Date(),
});
