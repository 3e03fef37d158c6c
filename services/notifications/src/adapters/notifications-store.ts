/**
 * All DynamoDB access of `notifications-<stage>` (key layout in ./notifications-table.ts).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamoDbDocumentClient } from '@switchyard/runtime';
import type { Category, Mode } from '../domain/categories';
import { CATEGORIES } from '../domain/categories';
import type { DigestLine } from '../domain/notifications';
import type { Recipient } from '../domain/recipients';
import type { Suppression } from '../domain/ses-feedback';
import {
  SENT_RETENTION_SECONDS,
  DUE_INDEX,
  WINDOW_DUE_PK,
  notificationKeys as keys,
} from './notifications-table';

/** A digest window keeps at most this many lines (the digest lists 10); the rest are only counted. */
export const WINDOW_LINES_KEPT = 50;

export interface WindowKey {
  tenantId: string;
  userId: string;
  category: Category;
}

export interface ClosedWindow extends WindowKey {
  lines: DigestLine[];
  count: number;
}

export type NotificationsStore = ReturnType<typeof notificationsStore>;

export function notificationsStore(
  tableName: () => string,
  client: () => DynamoDBDocumentClient = dynamoDbDocumentClient,
) {
  const db = () => client();
  const TableName = () => tableName();

  return {
    async putTenant(tenantId: string, name: string): Promise<void> {
      await db().send(
        new PutCommand({ TableName: TableName(), Item: { ...keys.tenant(tenantId), tenantId, name } }),
      );
    },

    async tenantName(tenantId: string): Promise<string | undefined> {
      const { Item } = await db().send(
        new GetCommand({ TableName: TableName(), Key: keys.tenant(tenantId) }),
      );
      return typeof Item?.name === 'string' ? Item.name : undefined;
    },

    /** Writes the recipient unless a newer revision (or a tombstone) is already held. */
    async applyRecipient(recipient: Recipient): Promise<boolean> {
      return conditionalWrite(
        db().send(
          new PutCommand({
            TableName: TableName(),
            Item: {
              ...keys.recipient(recipient.tenantId, recipient.userId),
              kind: 'recipient',
              ...recipient,
            },
            ConditionExpression: 'attribute_not_exists(pk) OR revision < :revision',
            ExpressionAttributeValues: { ':revision': recipient.revision },
          }),
        ),
      );
    },

    async recipient(tenantId: string, userId: string): Promise<Recipient | undefined> {
      const { Item } = await db().send(
        new GetCommand({ TableName: TableName(), Key: keys.recipient(tenantId, userId) }),
      );
      return Item ? toRecipient(Item) : undefined;
    },

    /** The tenant's active admins. */
    async admins(tenantId: string): Promise<Recipient[]> {
      const found: Recipient[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await db().send(
          new QueryCommand({
            TableName: TableName(),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            FilterExpression: 'contains(groups, :admins) AND #status = :active',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':pk': keys.tenantPartition(tenantId),
              ':prefix': keys.recipientPrefix,
              ':admins': 'Admins',
              ':active': 'active',
            },
            ExclusiveStartKey,
          }),
        );
        found.push(...(page.Items ?? []).map(toRecipient));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return found;
    },

    /** The person's stored choices (only the categories they set). */
    async preferences(tenantId: string, userId: string): Promise<Partial<Record<Category, Mode>>> {
      const { Item } = await db().send(
        new GetCommand({
          TableName: TableName(),
          Key: keys.preferences(tenantId, userId),
          ConsistentRead: true,
        }),
      );
      const stored: Partial<Record<Category, Mode>> = {};
      for (const category of CATEGORIES)
        if (typeof Item?.[category] === 'string') stored[category] = Item[category] as Mode;
      return stored;
    },

    /** Sets the given categories' modes, leaving the others as they are. */
    async setPreferences(
      tenantId: string,
      userId: string,
      modes: Partial<Record<Category, Mode>>,
      now: Date,
    ) {
      const entries = Object.entries(modes);
      const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
      const values: Record<string, unknown> = { ':updatedAt': now.toISOString() };
      const sets = ['#updatedAt = :updatedAt'];
      entries.forEach(([category, mode], i) => {
        names[`#c${i}`] = category;
        values[`:m${i}`] = mode;
        sets.push(`#c${i} = :m${i}`);
      });
      await db().send(
        new UpdateCommand({
          TableName: TableName(),
          Key: keys.preferences(tenantId, userId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    },

    /**
     * The mark that `eventId` reached `userId`, written only if absent: false means it already did
     * (a redelivery, a replay), and nothing more is sent.
     */
    async markSent(eventId: string, userId: string, now: Date): Promise<boolean> {
      return conditionalWrite(
        db().send(
          new PutCommand({
            TableName: TableName(),
            Item: {
              ...keys.sent(eventId, userId),
              sentAt: now.toISOString(),
              expiresAtEpoch: Math.floor(now.getTime() / 1000) + SENT_RETENTION_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    /** Takes a mark back when what it marked could not be sent, so a retry sends it. */
    async unmarkSent(eventId: string, userId: string): Promise<void> {
      await db().send(new DeleteCommand({ TableName: TableName(), Key: keys.sent(eventId, userId) }));
    },

    /** Adds an address to the suppression list (a repeat keeps the first reason and time). */
    async suppress(suppression: Suppression, now: Date): Promise<void> {
      await conditionalWrite(
        db().send(
          new PutCommand({
            TableName: TableName(),
            Item: {
              ...keys.suppressed(suppression.email),
              kind: 'suppressed',
              reason: suppression.reason,
              detail: suppression.detail,
              suppressedAt: now.toISOString(),
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    /** Whether SES told us never to mail this address again. */
    async isSuppressed(email: string): Promise<boolean> {
      const { Item } = await db().send(
        new GetCommand({ TableName: TableName(), Key: keys.suppressed(email) }),
      );
      return Item !== undefined;
    },

    /** Opens a window closing at `closesAt`; false when one is already open. */
    async openWindow(key: WindowKey, closesAt: Date): Promise<boolean> {
      return conditionalWrite(
        db().send(
          new PutCommand({
            TableName: TableName(),
            Item: {
              ...keys.window(key.tenantId, key.userId, key.category),
              ...key,
              kind: 'window',
              duePk: WINDOW_DUE_PK,
              dueAt: closesAt.toISOString(),
              lines: [],
              gathered: 0,
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    /** Adds a line to the open window; false when there is none (it closed meanwhile). */
    async gather(key: WindowKey, line: DigestLine): Promise<boolean> {
      const Key = keys.window(key.tenantId, key.userId, key.category);
      const withLine = await conditionalWrite(
        db().send(
          new UpdateCommand({
            TableName: TableName(),
            Key,
            UpdateExpression: 'SET #lines = list_append(#lines, :line) ADD gathered :one',
            ConditionExpression: 'attribute_exists(pk) AND size(#lines) < :kept',
            ExpressionAttributeNames: { '#lines': 'lines' },
            ExpressionAttributeValues: { ':line': [line], ':one': 1, ':kept': WINDOW_LINES_KEPT },
          }),
        ),
      );
      if (withLine) return true;
      return conditionalWrite(
        db().send(
          new UpdateCommand({
            TableName: TableName(),
            Key,
            UpdateExpression: 'ADD gathered :one',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':one': 1 },
          }),
        ),
      );
    },

    /** Windows whose end has passed (the sparse index due). */
    async dueWindows(now: Date, limit = 100): Promise<{ pk: string; sk: string }[]> {
      const { Items } = await db().send(
        new QueryCommand({
          TableName: TableName(),
          IndexName: DUE_INDEX,
          KeyConditionExpression: 'duePk = :due AND dueAt <= :now',
          ExpressionAttributeValues: { ':due': WINDOW_DUE_PK, ':now': now.toISOString() },
          Limit: limit,
        }),
      );
      return (Items ?? []).map((item) => ({ pk: String(item.pk), sk: String(item.sk) }));
    },

    /**
     * Closes a window, returning exactly what it gathered: the delete and the read are one step, so
     * a line gathered concurrently either is in what is returned or opens a new window.
     */
    async closeWindow(key: { pk: string; sk: string }): Promise<ClosedWindow | undefined> {
      const { Attributes } = await db().send(
        new DeleteCommand({ TableName: TableName(), Key: key, ReturnValues: 'ALL_OLD' }),
      );
      if (!Attributes) return undefined;
      return {
        tenantId: String(Attributes.tenantId),
        userId: String(Attributes.userId),
        category: Attributes.category as Category,
        lines: (Attributes.lines ?? []) as DigestLine[],
        count: Number(Attributes.gathered ?? 0),
      };
    },

    /** Puts a closed window back when its digest could not be sent (the next sweep tries again). */
    async reopenWindow(window: ClosedWindow, closesAt: Date): Promise<void> {
      await db().send(
        new PutCommand({
          TableName: TableName(),
          Item: {
            ...keys.window(window.tenantId, window.userId, window.category),
            tenantId: window.tenantId,
            userId: window.userId,
            category: window.category,
            kind: 'window',
            duePk: WINDOW_DUE_PK,
            dueAt: closesAt.toISOString(),
            lines: window.lines,
            gathered: window.count,
          },
        }),
      );
    },
  };
}

function toRecipient(item: Record<string, unknown>): Recipient {
  return {
    tenantId: String(item.tenantId),
    userId: String(item.userId),
    email: String(item.email),
    ...(typeof item.displayName === 'string' ? { displayName: item.displayName } : {}),
    groups: Array.isArray(item.groups) ? item.groups.map(String) : [],
    status: item.status as Recipient['status'],
    revision: Number(item.revision),
  };
}
