/** Scheduled reminders in `notifications-<stage>` (keys in ./notifications-table.ts). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalWrite, dynamoDbDocumentClient } from '@switchyard/runtime';
import type { Reminder } from '../domain/reminders';
import { DUE_INDEX, REMINDER_DUE_PK, notificationKeys as keys } from './notifications-table';

const toReminder = (item: Record<string, unknown>): Reminder => ({
  reminderId: String(item.reminderId),
  tenantId: String(item.tenantId),
  at: String(item.at),
  subject: String(item.subject),
  text: String(item.text),
  to: item.to === 'admins' ? 'admins' : (item.to as string[]),
  status: item.status as Reminder['status'],
  createdBy: String(item.createdBy),
  createdAt: String(item.createdAt),
});

export type RemindersStore = ReturnType<typeof remindersStore>;

export function remindersStore(
  tableName: () => string,
  client: () => DynamoDBDocumentClient = dynamoDbDocumentClient,
) {
  return {
    /** A new reminder, waiting in the due index until its time. */
    async put(r: Reminder): Promise<void> {
      await client().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.reminder(r.tenantId, r.reminderId),
            kind: 'reminder',
            ...r,
            duePk: REMINDER_DUE_PK,
            dueAt: r.at,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async get(tenantId: string, reminderId: string): Promise<Reminder | undefined> {
      const { Item } = await client().send(
        new GetCommand({
          TableName: tableName(),
          Key: keys.reminder(tenantId, reminderId),
          ConsistentRead: true,
        }),
      );
      return Item ? toReminder(Item) : undefined;
    },

    /** The tenant's reminders, oldest first (ids sort by creation), at most 100. */
    async list(tenantId: string): Promise<Reminder[]> {
      const { Items } = await client().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': keys.tenantPartition(tenantId),
            ':prefix': keys.reminderPrefix,
          },
          Limit: 100,
        }),
      );
      return (Items ?? []).map(toReminder);
    },

    /** scheduled → `to`, leaving the due index; false when it was not scheduled any more. */
    async finish(tenantId: string, reminderId: string, to: 'sent' | 'cancelled'): Promise<boolean> {
      return conditionalWrite(
        client().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keys.reminder(tenantId, reminderId),
            UpdateExpression: 'SET #status = :to REMOVE duePk, dueAt',
            ConditionExpression: '#status = :scheduled',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':to': to, ':scheduled': 'scheduled' },
          }),
        ),
      );
    },

    /** Reminders waiting whose time has come, oldest first (the due index holds keys only). */
    async due(now: Date, limit = 100): Promise<{ tenantId: string; reminderId: string }[]> {
      const { Items } = await client().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: DUE_INDEX,
          KeyConditionExpression: 'duePk = :due AND dueAt <= :now',
          ExpressionAttributeValues: { ':due': REMINDER_DUE_PK, ':now': now.toISOString() },
          Limit: limit,
        }),
      );
      return (Items ?? []).map((item) => ({
        tenantId: String(item.pk).slice('TENANT#'.length),
        reminderId: String(item.sk).slice(keys.reminderPrefix.length),
      }));
    },
  };
}
