/** The composition root: the adapters each group of use cases runs on, built from the environment. */
import { dynamoDbDocumentClient, tableCursorSecret } from '@switchyard/runtime';
import { activityStore } from '../adapters/activity-store';
import { config } from '../config';
import type { AggregateDeps } from './aggregate';
import type { CommentDeps } from './comments';
import type { PeopleDeps } from './people';
import type { ReactionDeps } from './reactions';
import type { StatsDeps } from './stats';

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
