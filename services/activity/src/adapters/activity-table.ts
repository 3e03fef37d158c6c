/**
 * The key layout of `activity-<stage>`, in one place (test/unit/adapters/activity-table.test.ts pins
 * it). Every key of a tenant's data starts with `T#<tenantId>#`, so another tenant's ids are simply
 * not found.
 *
 *   T#<t>#USER#<userId> / PERSON                 the projection of identity's person (name, revision)
 *                                                and the counters kept for them (commentCount, lastActiveAt)
 *   T#<t>#COMMENT#<commentId> / COMMENT          a comment; itemPk/itemSk (index byItem) list an item's
 *                                                comments oldest first, authorPk/authorSk (index byAuthor)
 *                                                find an author's comments when their name changes
 *   T#<t>#COMMENT#<commentId> / REACTION#<type>#<userId>   one person's reaction of one type
 *   T#<t>#COMMENT#<commentId> / STATS            reactionCount and per-type counts (the aggregator's)
 *   T#<t>#ITEM#<itemId> / STATS                  commentCount of the item (the aggregator's)
 *   T#<t>#CONV#<conversationId> / CONV           a conversation (kind, participants)
 *   T#<t>#CONV#<conversationId> / MEMBER#<userId> one participant's unread count and last activity;
 *                                                inboxPk/inboxSk (index byInbox) list a person's
 *                                                conversations, newest activity first
 *   T#<t>#CONV#<conversationId> / MSG#<sentAt>#<messageId>  a message (newest first by sort key)
 *   T#<t>#UPLOAD#<key>  / UPLOAD                  an attachment upload a person asked for (TTL)
 *   RATE#<t>#<userId> / WINDOW#<minute>           comments a person wrote in one minute (TTL)
 *   AGG#<stream event id> / AGG                  a stream record the aggregator counted (TTL)
 *   OUTBOX#<id> / OUTBOX, SECRET#cursor / SECRET  the runtime's
 */
const t = (tenantId: string) => `T#${tenantId}#`;

export const MESSAGE_PREFIX = 'MSG#';
export const BY_INBOX_INDEX = 'byInbox';

export const activityKeys = {
  person: (tenantId: string, userId: string) => ({ pk: `${t(tenantId)}USER#${userId}`, sk: 'PERSON' }),
  comment: (tenantId: string, commentId: string) => ({
    pk: `${t(tenantId)}COMMENT#${commentId}`,
    sk: 'COMMENT',
  }),
  commentPartition: (tenantId: string, commentId: string) => `${t(tenantId)}COMMENT#${commentId}`,
  reaction: (tenantId: string, commentId: string, type: string, userId: string) => ({
    pk: `${t(tenantId)}COMMENT#${commentId}`,
    sk: `REACTION#${type}#${userId}`,
  }),
  commentStats: (tenantId: string, commentId: string) => ({
    pk: `${t(tenantId)}COMMENT#${commentId}`,
    sk: 'STATS',
  }),
  itemStats: (tenantId: string, itemId: string) => ({ pk: `${t(tenantId)}ITEM#${itemId}`, sk: 'STATS' }),
  /** byItem partition of an item's comments; sort key `<createdAt>#<commentId>`. */
  itemComments: (tenantId: string, itemId: string) => `${t(tenantId)}ITEM#${itemId}`,
  /** byAuthor partition of a person's comments. */
  authorComments: (tenantId: string, userId: string) => `${t(tenantId)}USER#${userId}`,
  commentSort: (createdAt: string, commentId: string) => `${createdAt}#${commentId}`,
  rateWindow: (tenantId: string, userId: string, minute: number) => ({
    pk: `RATE#${tenantId}#${userId}`,
    sk: `WINDOW#${minute}`,
  }),
  aggregated: (eventId: string) => ({ pk: `AGG#${eventId}`, sk: 'AGG' }),
  conversation: (tenantId: string, conversationId: string) => ({
    pk: `${t(tenantId)}CONV#${conversationId}`,
    sk: 'CONV',
  }),
  conversationPartition: (tenantId: string, conversationId: string) => `${t(tenantId)}CONV#${conversationId}`,
  membership: (tenantId: string, conversationId: string, userId: string) => ({
    pk: `${t(tenantId)}CONV#${conversationId}`,
    sk: `MEMBER#${userId}`,
  }),
  message: (tenantId: string, conversationId: string, sentAt: string, messageId: string) => ({
    pk: `${t(tenantId)}CONV#${conversationId}`,
    sk: `${MESSAGE_PREFIX}${sentAt}#${messageId}`,
  }),
  /** byInbox partition of a person's conversations; sort key `<lastActivityAt>#<conversationId>`. */
  inbox: (tenantId: string, userId: string) => `${t(tenantId)}INBOX#${userId}`,
  inboxSort: (lastActivityAt: string, conversationId: string) => `${lastActivityAt}#${conversationId}`,
  upload: (tenantId: string, key: string) => ({ pk: `${t(tenantId)}UPLOAD#${key}`, sk: 'UPLOAD' }),
};

export const REACTION_PREFIX = 'REACTION#';
export const BY_ITEM_INDEX = 'byItem';
export const BY_AUTHOR_INDEX = 'byAuthor';

/** What each item is, so the stream consumers tell them apart without parsing keys. */
export type ItemKind =
  | 'person'
  | 'comment'
  | 'reaction'
  | 'stats'
  | 'rate'
  | 'aggregated'
  | 'conversation'
  | 'membership'
  | 'message'
  | 'upload';

/** Stream retries end within a day (maximumRetryAttempts); dedup markers outlive them. */
export const AGGREGATED_RETENTION_SECONDS = 2 * 24 * 60 * 60;
