/** All DynamoDB access to `activity-<stage>` for people, comments, reactions and counters. */
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Contract } from '@switchyard/contracts';
import type { PublishInput } from '@switchyard/runtime';
import {
  conditionalWrite,
  dynamoDbDocumentClient,
  isConditionFailure,
  outboxPut,
  queryAll,
} from '@switchyard/runtime';
import type { AggregationPlan, CounterDelta } from '../domain/aggregation';
import type { Comment } from '../domain/comments';
import { config } from '../config';
import {
  activityKeys,
  AGGREGATED_RETENTION_SECONDS,
  BY_AUTHOR_INDEX,
  BY_ITEM_INDEX,
  REACTION_PREFIX,
} from './activity-table';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A message to write to the outbox in the same transaction as the change. */
export interface OutboxEvent {
  contract: Contract;
  input: PublishInput<Contract>;
}

export interface PersonRecord {
  tenantId: string;
  userId: string;
  displayName?: string;
  removed?: boolean;
  commentCount?: number;
  lastActiveAt?: string;
}

export interface StoredComment extends Comment {
  revision: number;
}

export interface Reaction {
  tenantId: string;
  commentId: string;
  userId: string;
  type: string;
  createdAt: string;
}

export interface Page<T> {
  items: T[];
  lastKey?: Record<string, unknown>;
}

const COMMENT_FIELDS = [
  'tenantId',
  'commentId',
  'itemId',
  'authorId',
  'authorDisplayName',
  'text',
  'createdAt',
  'editedAt',
  'editHistory',
  'deleted',
  'deletedAt',
  'deletedBy',
  'revision',
] as const;

function toComment(item: Record<string, unknown>): StoredComment {
  const comment: Record<string, unknown> = {};
  for (const field of COMMENT_FIELDS) if (item[field] !== undefined) comment[field] = item[field];
  return { editHistory: [], ...comment } as unknown as StoredComment;
}

export function activityStore(client: () => DynamoDBDocumentClient = dynamoDbDocumentClient) {
  const table = () => config().ACTIVITY_TABLE;
  const outbox = (events: OutboxEvent[]): TransactItem[] =>
    events.map((e) => outboxPut(table(), e.contract, e.input));

  const commentItem = (comment: StoredComment) => ({
    ...activityKeys.comment(comment.tenantId, comment.commentId),
    kind: 'comment',
    ...comment,
    itemPk: activityKeys.itemComments(comment.tenantId, comment.itemId),
    itemSk: activityKeys.commentSort(comment.createdAt, comment.commentId),
    authorPk: activityKeys.authorComments(comment.tenantId, comment.authorId),
    authorSk: activityKeys.commentSort(comment.createdAt, comment.commentId),
  });

  return {
    async getPerson(tenantId: string, userId: string): Promise<PersonRecord | undefined> {
      const { Item } = await client().send(
        new GetCommand({ TableName: table(), Key: activityKeys.person(tenantId, userId) }),
      );
      return Item as PersonRecord | undefined;
    },

    /**
     * Applies identity's view of a person if it is newer than what is held (`revision` for
     * UserCreated/UserUpdated/UserRemoved, `profileAt` for ProfileUpdated); false when it was not.
     * Counters on the same item are left alone. A removed person stays removed.
     */
    async projectPerson(
      tenantId: string,
      userId: string,
      change: { displayName?: string | null; removed?: boolean },
      order: { revision: number } | { profileAt: string },
    ): Promise<boolean> {
      const names: Record<string, string> = { '#tenantId': 'tenantId', '#userId': 'userId', '#kind': 'kind' };
      const values: Record<string, unknown> = { ':tenantId': tenantId, ':userId': userId, ':kind': 'person' };
      const set = ['#tenantId = :tenantId', '#userId = :userId', '#kind = :kind'];
      const remove: string[] = [];
      if (change.displayName === null) {
        names['#displayName'] = 'displayName';
        remove.push('#displayName');
      } else if (change.displayName !== undefined) {
        names['#displayName'] = 'displayName';
        values[':displayName'] = change.displayName;
        set.push('#displayName = :displayName');
      }
      if (change.removed) {
        names['#removed'] = 'removed';
        values[':true'] = true;
        set.push('#removed = :true');
      }
      let condition: string;
      if ('revision' in order) {
        names['#revision'] = 'revision';
        values[':revision'] = order.revision;
        set.push('#revision = :revision');
        condition = '(attribute_not_exists(#revision) OR #revision < :revision)';
      } else {
        names['#profileAt'] = 'profileAt';
        values[':profileAt'] = order.profileAt;
        set.push('#profileAt = :profileAt');
        condition = '(attribute_not_exists(#profileAt) OR #profileAt < :profileAt)';
      }
      names['#removedFlag'] = 'removed';
      condition += ' AND attribute_not_exists(#removedFlag)';
      return conditionalWrite(
        client().send(
          new UpdateCommand({
            TableName: table(),
            Key: activityKeys.person(tenantId, userId),
            UpdateExpression: `SET ${set.join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
            ConditionExpression: condition,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        ),
      );
    },

    /** The ids of every comment `userId` wrote (index byAuthor, keys only). */
    async authorCommentIds(tenantId: string, userId: string): Promise<string[]> {
      const items = await queryAll(client(), {
        TableName: table(),
        IndexName: BY_AUTHOR_INDEX,
        KeyConditionExpression: '#authorPk = :pk',
        ExpressionAttributeNames: { '#authorPk': 'authorPk' },
        ExpressionAttributeValues: { ':pk': activityKeys.authorComments(tenantId, userId) },
      });
      return items.map((item) => String(item.pk).split('#COMMENT#')[1] ?? '').filter((id) => id !== '');
    },

    /** Sets the author's name on one of their comments (if it still exists). */
    async setAuthorName(tenantId: string, commentId: string, displayName: string | undefined) {
      await conditionalWrite(
        client().send(
          new UpdateCommand({
            TableName: table(),
            Key: activityKeys.comment(tenantId, commentId),
            UpdateExpression: displayName === undefined ? 'REMOVE #name' : 'SET #name = :name',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#name': 'authorDisplayName', '#pk': 'pk' },
            ...(displayName === undefined ? {} : { ExpressionAttributeValues: { ':name': displayName } }),
          }),
        ),
      );
    },

    async getComment(tenantId: string, commentId: string): Promise<StoredComment | undefined> {
      const { Item } = await client().send(
        new GetCommand({
          TableName: table(),
          Key: activityKeys.comment(tenantId, commentId),
          ConsistentRead: true,
        }),
      );
      return Item ? toComment(Item) : undefined;
    },

    /** Writes a new comment, or a change to one at `expectedRevision`, with its events. */
    async saveComment(
      comment: StoredComment,
      expectedRevision: number | undefined,
      events: OutboxEvent[],
    ): Promise<boolean> {
      const put: TransactItem = {
        Put: {
          TableName: table(),
          Item: commentItem(comment),
          ConditionExpression:
            expectedRevision === undefined ? 'attribute_not_exists(#pk)' : '#revision = :expected',
          ExpressionAttributeNames:
            expectedRevision === undefined ? { '#pk': 'pk' } : { '#revision': 'revision' },
          ...(expectedRevision === undefined
            ? {}
            : { ExpressionAttributeValues: { ':expected': expectedRevision } }),
        },
      };
      return conditionalWrite(
        client().send(new TransactWriteCommand({ TransactItems: [put, ...outbox(events)] })),
        { guardedItem: 0 },
      );
    },

    /** A page of an item's comments, oldest first (index byItem). */
    async listComments(
      tenantId: string,
      itemId: string,
      limit: number,
      startKey?: Record<string, unknown>,
    ): Promise<Page<StoredComment>> {
      const out = await client().send(
        new QueryCommand({
          TableName: table(),
          IndexName: BY_ITEM_INDEX,
          KeyConditionExpression: '#itemPk = :pk',
          ExpressionAttributeNames: { '#itemPk': 'itemPk' },
          ExpressionAttributeValues: { ':pk': activityKeys.itemComments(tenantId, itemId) },
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      return {
        items: (out.Items ?? []).map(toComment),
        ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}),
      };
    },

    /** Authors of an item's latest comments, newest first (for CommentCreated's recipients). */
    async recentAuthors(tenantId: string, itemId: string, max = 500): Promise<string[]> {
      const out = await client().send(
        new QueryCommand({
          TableName: table(),
          IndexName: BY_ITEM_INDEX,
          KeyConditionExpression: '#itemPk = :pk',
          ExpressionAttributeNames: { '#itemPk': 'itemPk', '#authorId': 'authorId' },
          ExpressionAttributeValues: { ':pk': activityKeys.itemComments(tenantId, itemId) },
          ProjectionExpression: '#authorId',
          ScanIndexForward: false,
          Limit: max,
        }),
      );
      return (out.Items ?? []).map((item) => String(item.authorId));
    },

    /**
     * Takes one comment from the person's allowance for the minute `minute`, shared by every
     * instance (one conditional counter per person and minute); false when it is used up.
     */
    async takeCommentToken(
      tenantId: string,
      userId: string,
      minute: number,
      limit: number,
    ): Promise<boolean> {
      try {
        await client().send(
          new UpdateCommand({
            TableName: table(),
            Key: activityKeys.rateWindow(tenantId, userId, minute),
            UpdateExpression: 'ADD #count :one SET #kind = :kind, #expires = :expires',
            ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
            ExpressionAttributeNames: { '#count': 'count', '#kind': 'kind', '#expires': 'expiresAtEpoch' },
            ExpressionAttributeValues: {
              ':one': 1,
              ':limit': limit,
              ':kind': 'rate',
              ':expires': (minute + 2) * 60,
            },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    /** Adds a reaction row with its event; false when the row is already there. */
    async addReaction(reaction: Reaction, events: OutboxEvent[]): Promise<boolean> {
      const key = activityKeys.reaction(
        reaction.tenantId,
        reaction.commentId,
        reaction.type,
        reaction.userId,
      );
      return conditionalWrite(
        client().send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table(),
                  Item: { ...key, kind: 'reaction', ...reaction },
                  ConditionExpression: 'attribute_not_exists(#pk)',
                  ExpressionAttributeNames: { '#pk': 'pk' },
                },
              },
              ...outbox(events),
            ],
          }),
        ),
        { guardedItem: 0 },
      );
    },

    /** Removes a reaction row with its event; false when it was not there. */
    async removeReaction(reaction: Omit<Reaction, 'createdAt'>, events: OutboxEvent[]): Promise<boolean> {
      const key = activityKeys.reaction(
        reaction.tenantId,
        reaction.commentId,
        reaction.type,
        reaction.userId,
      );
      return conditionalWrite(
        client().send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: table(),
                  Key: key,
                  ConditionExpression: 'attribute_exists(#pk)',
                  ExpressionAttributeNames: { '#pk': 'pk' },
                },
              },
              ...outbox(events),
            ],
          }),
        ),
        { guardedItem: 0 },
      );
    },

    /** Every reaction row of a comment (strongly consistent: the truth the counters follow). */
    async reactions(tenantId: string, commentId: string): Promise<Reaction[]> {
      const items = await queryAll(client(), {
        TableName: table(),
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: {
          ':pk': activityKeys.commentPartition(tenantId, commentId),
          ':prefix': REACTION_PREFIX,
        },
        ConsistentRead: true,
      });
      return items.map((item) => ({
        tenantId,
        commentId,
        userId: String(item.userId),
        type: String(item.type),
        createdAt: String(item.createdAt),
      }));
    },

    async itemStats(tenantId: string, itemId: string) {
      const { Item } = await client().send(
        new GetCommand({
          TableName: table(),
          Key: activityKeys.itemStats(tenantId, itemId),
          ConsistentRead: true,
        }),
      );
      return { commentCount: Number(Item?.commentCount ?? 0) };
    },

    async commentStats(tenantId: string, commentId: string) {
      const { Item } = await client().send(
        new GetCommand({
          TableName: table(),
          Key: activityKeys.commentStats(tenantId, commentId),
          ConsistentRead: true,
        }),
      );
      const byType: Record<string, number> = {};
      for (const [name, value] of Object.entries(Item ?? {})) {
        if (name.startsWith('count_') && Number(value) > 0) byType[name.slice(6)] = Number(value);
      }
      return { reactionCount: Number(Item?.reactionCount ?? 0), byType };
    },

    /**
     * Applies one stream record's counter changes exactly once: the record's marker and the counters
     * in one transaction, so a redelivered record finds its marker and changes nothing. False when
     * it had been applied before.
     */
    async applyCounters(eventId: string, plan: AggregationPlan, now: Date): Promise<boolean> {
      if (plan.deltas.length === 0) return true;
      const marker: TransactItem = {
        Put: {
          TableName: table(),
          Item: {
            ...activityKeys.aggregated(eventId),
            kind: 'aggregated',
            expiresAtEpoch: Math.floor(now.getTime() / 1000) + AGGREGATED_RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
        },
      };
      const update = (delta: CounterDelta): TransactItem => {
        const key =
          delta.target.kind === 'item'
            ? activityKeys.itemStats(plan.tenantId, delta.target.itemId)
            : delta.target.kind === 'comment'
              ? activityKeys.commentStats(plan.tenantId, delta.target.commentId)
              : activityKeys.person(plan.tenantId, delta.target.userId);
        const names: Record<string, string> = { '#kind': 'kind', '#tenantId': 'tenantId' };
        const values: Record<string, unknown> = {
          ':kind': delta.target.kind === 'person' ? 'person' : 'stats',
          ':tenantId': plan.tenantId,
        };
        // A person's counters carry a version, so identity keeps the latest totals whatever the order.
        const add = delta.target.kind === 'person' ? { ...delta.add, countersVersion: 1 } : delta.add;
        const adds = Object.entries(add).map(([name, value], i) => {
          names[`#a${i}`] = name;
          values[`:a${i}`] = value;
          return `#a${i} :a${i}`;
        });
        return {
          Update: {
            TableName: table(),
            Key: key,
            UpdateExpression: `ADD ${adds.join(', ')} SET #kind = if_not_exists(#kind, :kind), #tenantId = :tenantId`,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          },
        };
      };
      return conditionalWrite(
        client().send(new TransactWriteCommand({ TransactItems: [marker, ...plan.deltas.map(update)] })),
        { guardedItem: 0 },
      );
    },

    /**
     * Writes the outbox item telling identity about a person's new totals, once per stream record
     * (the record's marker in the same transaction); false when it had been written before.
     */
    async publishOnce(eventId: string, events: OutboxEvent[], now: Date): Promise<boolean> {
      return conditionalWrite(
        client().send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: table(),
                  Item: {
                    ...activityKeys.aggregated(eventId),
                    kind: 'aggregated',
                    expiresAtEpoch: Math.floor(now.getTime() / 1000) + AGGREGATED_RETENTION_SECONDS,
                  },
                  ConditionExpression: 'attribute_not_exists(#pk)',
                  ExpressionAttributeNames: { '#pk': 'pk' },
                },
              },
              ...outbox(events),
            ],
          }),
        ),
        { guardedItem: 0 },
      );
    },

    /** Keeps the latest time a person acted (a maximum: replays and reordering cannot lower it). */
    async touchPerson(tenantId: string, userId: string, at: string): Promise<void> {
      await conditionalWrite(
        client().send(
          new UpdateCommand({
            TableName: table(),
            Key: activityKeys.person(tenantId, userId),
            UpdateExpression:
              'SET #at = :at, #kind = if_not_exists(#kind, :kind), #tenantId = :tenantId, #userId = :userId ADD #version :one',
            ConditionExpression: 'attribute_not_exists(#at) OR #at < :at',
            ExpressionAttributeNames: {
              '#at': 'lastActiveAt',
              '#kind': 'kind',
              '#tenantId': 'tenantId',
              '#userId': 'userId',
              '#version': 'countersVersion',
            },
            ExpressionAttributeValues: {
              ':one': 1,
              ':at': at,
              ':kind': 'person',
              ':tenantId': tenantId,
              ':userId': userId,
            },
          }),
        ),
      );
    },
  };
}
export type ActivityStore = ReturnType<typeof activityStore>;
