/**
 * The audit table (`ops-<stage>-audit`, layout in ./README.md). Finishing an action updates its
 * record and, for a replay, writes DlqReplayed to the outbox in the same transaction, so the event
 * is published if and only if the record says the replay finished.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { DlqReplayed } from '@switchyard/contracts';
import { dynamoDbDocumentClient, outboxPut } from '@switchyard/runtime';
import { config } from '../config';
import type { DlqActionRecord } from '../domain/dlq-actions';
import { replayedEvent } from '../domain/dlq-actions';

export const auditKey = (actionId: string) => ({ pk: `AUDIT#${actionId}`, sk: 'AUDIT' });

/** When the table may delete an audit record (TTL, epoch seconds): AUDIT_RETENTION_DAYS after it started. */
export function auditExpiresAtEpoch(startedAt: string, retentionDays: number): number {
  return Math.floor(Date.parse(startedAt) / 1000) + retentionDays * 24 * 60 * 60;
}
const byDlq = (record: DlqActionRecord) => ({
  gsi1pk: `DLQ#${record.dlqName}`,
  gsi1sk: `${record.startedAt}#${record.actionId}`,
});

export interface AuditStore {
  get(actionId: string): Promise<DlqActionRecord | undefined>;
  start(record: DlqActionRecord): Promise<void>;
  /** False when the action was already finished (someone finished it in between). */
  finish(record: DlqActionRecord): Promise<boolean>;
  listByDlq(dlqName: string, limit: number): Promise<DlqActionRecord[]>;
}

function strip(item: Record<string, unknown> | undefined): DlqActionRecord | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, expiresAtEpoch: _e, ...record } = item;
  return { filter: {}, ...record } as unknown as DlqActionRecord;
}

/**
 * The item to write: empty maps and lists are left out (read back as `{}`/absent). The local
 * cloud's stream reader cannot decode an empty map, which would stall the outbox publisher.
 */
function toItem(record: DlqActionRecord): Record<string, unknown> {
  const { filter, messageIds, ...rest } = record;
  return {
    ...rest,
    ...(Object.keys(filter).length ? { filter } : {}),
    ...(messageIds?.length ? { messageIds } : {}),
    ...auditKey(record.actionId),
    ...byDlq(record),
    expiresAtEpoch: auditExpiresAtEpoch(record.startedAt, config().AUDIT_RETENTION_DAYS),
  };
}

export function createAuditStore(
  client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
  tableName: () => string = () => config().AUDIT_TABLE,
): AuditStore {
  return {
    async get(actionId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName(), Key: auditKey(actionId), ConsistentRead: true }),
      );
      return strip(Item);
    },
    async start(record) {
      await client.send(
        new PutCommand({
          TableName: tableName(),
          Item: toItem(record),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
        }),
      );
    },
    async finish(record) {
      const event = replayedEvent(record);
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName(),
                  Item: toItem(record),
                  ConditionExpression: '#status = :started',
                  ExpressionAttributeNames: { '#status': 'status' },
                  ExpressionAttributeValues: { ':started': 'started' },
                },
              },
              ...(event ? [outboxPut(tableName(), DlqReplayed, event)] : []),
            ],
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'TransactionCanceledException') return false;
        throw error;
      }
    },
    async listByDlq(dlqName, limit) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: 'gsi1',
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'gsi1pk' },
          ExpressionAttributeValues: { ':pk': `DLQ#${dlqName}` },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return Items.map((item) => strip(item)!);
    },
  };
}

let store: AuditStore | undefined;
export function auditStore(): AuditStore {
  store ??= createAuditStore();
  return store;
}
