/** DynamoDB access to `activity-<stage>` for conversations, their participants and messages. */
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamoDbDocumentClient, isConditionFailure, outboxPut } from '@switchyard/runtime';
import type { Attachment, Conversation, Membership, Message } from '../domain/conversations';
import { config } from '../config';
import type { OutboxEvent, Page } from './activity-store';
import { activityKeys, BY_INBOX_INDEX, MESSAGE_PREFIX } from './activity-table';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** An upload a person asked for: what the presigned POST allowed, kept until it is sent or expires. */
export interface UploadRecord extends Attachment {
  tenantId: string;
  ownerId: string;
  usedBy?: string;
}

const pick = <T>(item: Record<string, unknown>, fields: readonly string[]): T => {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (item[field] !== undefined) out[field] = item[field];
  return out as T;
};

const CONVERSATION_FIELDS = [
  'tenantId',
  'conversationId',
  'kind',
  'participantIds',
  'createdBy',
  'createdAt',
];
const MEMBERSHIP_FIELDS = [
  'tenantId',
  'conversationId',
  'userId',
  'participantIds',
  'unread',
  'lastActivityAt',
  'lastReadAt',
  'lastMessage',
];
const MESSAGE_FIELDS = [
  'tenantId',
  'conversationId',
  'messageId',
  'senderId',
  'senderDisplayName',
  'text',
  'attachments',
  'sentAt',
];
const toMembership = (item: Record<string, unknown>): Membership => ({
  ...pick<Membership>(item, MEMBERSHIP_FIELDS),
  kind: item.conversationKind as Membership['kind'],
});
const UPLOAD_FIELDS = ['tenantId', 'ownerId', 'key', 'filename', 'contentType', 'size', 'usedBy'];

export function conversationStore(client: () => DynamoDBDocumentClient = dynamoDbDocumentClient) {
  const table = () => config().ACTIVITY_TABLE;
  const outbox = (events: OutboxEvent[]): TransactItem[] =>
    events.map((e) => outboxPut(table(), e.contract, e.input));

  // `kind` names what an item is (the stream consumers read it); a conversation's own kind is kept
  // as `conversationKind`.
  const membershipItem = (m: Membership) => ({
    ...activityKeys.membership(m.tenantId, m.conversationId, m.userId),
    ...m,
    kind: 'membership',
    conversationKind: m.kind,
    inboxPk: activityKeys.inbox(m.tenantId, m.userId),
    inboxSk: activityKeys.inboxSort(m.lastActivityAt, m.conversationId),
  });

  return {
    async getConversation(tenantId: string, conversationId: string): Promise<Conversation | undefined> {
      const { Item } = await client().send(
        new GetCommand({
          TableName: table(),
          Key: activityKeys.conversation(tenantId, conversationId),
          ConsistentRead: true,
        }),
      );
      return Item
        ? {
            ...pick<Conversation>(Item, CONVERSATION_FIELDS),
            kind: Item.conversationKind as Conversation['kind'],
          }
        : undefined;
    },

    async getMembership(
      tenantId: string,
      conversationId: string,
      userId: string,
    ): Promise<Membership | undefined> {
      const { Item } = await client().send(
        new GetCommand({
          TableName: table(),
          Key: activityKeys.membership(tenantId, conversationId, userId),
          ConsistentRead: true,
        }),
      );
      return Item ? toMembership(Item) : undefined;
    },

    /** The conversation, a membership per participant and its event; false when it exists already. */
    async createConversation(conversation: Conversation, events: OutboxEvent[]): Promise<boolean> {
      const put: TransactItem = {
        Put: {
          TableName: table(),
          Item: {
            ...activityKeys.conversation(conversation.tenantId, conversation.conversationId),
            ...conversation,
            kind: 'conversation',
            conversationKind: conversation.kind,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
        },
      };
      const members: TransactItem[] = conversation.participantIds.map((userId) => ({
        Put: {
          TableName: table(),
          Item: membershipItem({
            tenantId: conversation.tenantId,
            conversationId: conversation.conversationId,
            userId,
            kind: conversation.kind,
            participantIds: conversation.participantIds,
            unread: 0,
            lastActivityAt: conversation.createdAt,
          }),
        },
      }));
      return conditionalWrite(
        client().send(new TransactWriteCommand({ TransactItems: [put, ...members, ...outbox(events)] })),
        { guardedItem: 0 },
      );
    },

    /**
     * The message, every participant's membership moved to the top of their list (the others' unread
     * count up by one), the attachments marked used, and the event: one transaction.
     */
    async addMessage(
      conversation: Conversation,
      message: Message,
      preview: string,
      events: OutboxEvent[],
    ): Promise<void> {
      const { tenantId, conversationId } = conversation;
      const put: TransactItem = {
        Put: {
          TableName: table(),
          Item: {
            ...activityKeys.message(tenantId, conversationId, message.sentAt, message.messageId),
            kind: 'message',
            ...message,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
        },
      };
      const members: TransactItem[] = conversation.participantIds.map((userId) => {
        const mine = userId === message.senderId;
        return {
          Update: {
            TableName: table(),
            Key: activityKeys.membership(tenantId, conversationId, userId),
            UpdateExpression: mine
              ? 'SET #at = :at, #inboxSk = :inboxSk, #last = :last'
              : 'SET #at = :at, #inboxSk = :inboxSk, #last = :last ADD #unread :one',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: {
              '#pk': 'pk',
              '#at': 'lastActivityAt',
              '#inboxSk': 'inboxSk',
              '#last': 'lastMessage',
              ...(mine ? {} : { '#unread': 'unread' }),
            },
            ExpressionAttributeValues: {
              ':at': message.sentAt,
              ':inboxSk': activityKeys.inboxSort(message.sentAt, conversationId),
              ':last': { senderId: message.senderId, preview, sentAt: message.sentAt },
              ...(mine ? {} : { ':one': 1 }),
            },
          },
        };
      });
      const uploads: TransactItem[] = message.attachments.map((a) => ({
        Update: {
          TableName: table(),
          Key: activityKeys.upload(tenantId, a.key),
          UpdateExpression: 'SET #usedBy = :message REMOVE #expires',
          ConditionExpression: '#owner = :sender AND attribute_not_exists(#usedBy)',
          ExpressionAttributeNames: {
            '#usedBy': 'usedBy',
            '#owner': 'ownerId',
            '#expires': 'expiresAtEpoch',
          },
          ExpressionAttributeValues: { ':message': message.messageId, ':sender': message.senderId },
        },
      }));
      await client().send(
        new TransactWriteCommand({ TransactItems: [put, ...members, ...uploads, ...outbox(events)] }),
      );
    },

    /** A page of the conversation's messages, newest first. */
    async listMessages(
      tenantId: string,
      conversationId: string,
      limit: number,
      startKey?: Record<string, unknown>,
    ): Promise<Page<Message>> {
      const out = await client().send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
          ExpressionAttributeValues: {
            ':pk': activityKeys.conversationPartition(tenantId, conversationId),
            ':prefix': MESSAGE_PREFIX,
          },
          ScanIndexForward: false,
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      return {
        items: (out.Items ?? []).map((item) => {
          const message = pick<Message>(item, MESSAGE_FIELDS);
          return { ...message, attachments: message.attachments ?? [] };
        }),
        ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}),
      };
    },

    /** A page of a person's conversations, newest activity first (index byInbox). */
    async listMemberships(
      tenantId: string,
      userId: string,
      limit: number,
      startKey?: Record<string, unknown>,
    ): Promise<Page<Membership>> {
      const out = await client().send(
        new QueryCommand({
          TableName: table(),
          IndexName: BY_INBOX_INDEX,
          KeyConditionExpression: '#inboxPk = :pk',
          ExpressionAttributeNames: { '#inboxPk': 'inboxPk' },
          ExpressionAttributeValues: { ':pk': activityKeys.inbox(tenantId, userId) },
          ScanIndexForward: false,
          Limit: limit,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      return {
        items: (out.Items ?? []).map(toMembership),
        ...(out.LastEvaluatedKey ? { lastKey: out.LastEvaluatedKey } : {}),
      };
    },

    /** The participant has read everything: unread back to 0. False when they are not one. */
    async markRead(tenantId: string, conversationId: string, userId: string, at: string): Promise<boolean> {
      try {
        await client().send(
          new UpdateCommand({
            TableName: table(),
            Key: activityKeys.membership(tenantId, conversationId, userId),
            UpdateExpression: 'SET #unread = :zero, #readAt = :at',
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': 'pk', '#unread': 'unread', '#readAt': 'lastReadAt' },
            ExpressionAttributeValues: { ':zero': 0, ':at': at },
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    /** Records an upload the person was allowed; it expires with the presigned POST unless sent. */
    async putUpload(upload: UploadRecord, expiresAtEpoch: number): Promise<void> {
      await client().send(
        new PutCommand({
          TableName: table(),
          Item: {
            ...activityKeys.upload(upload.tenantId, upload.key),
            kind: 'upload',
            ...upload,
            expiresAtEpoch,
          },
        }),
      );
    },

    async getUpload(tenantId: string, key: string): Promise<UploadRecord | undefined> {
      const { Item } = await client().send(
        new GetCommand({ TableName: table(), Key: activityKeys.upload(tenantId, key), ConsistentRead: true }),
      );
      return Item ? pick<UploadRecord>(Item, UPLOAD_FIELDS) : undefined;
    },
  };
}
export type ConversationStore = ReturnType<typeof conversationStore>;
