/**
 * Bus replays in the audit table (`ops-<stage>-audit`, layout in ./README.md): `BUSREPLAY#<id>`,
 * listed per bus through gsi1 (`BUS#<busName>`). Finishing one writes its record and BusReplayed
 * (outbox) in one transaction, so the event is published if and only if the record says it finished.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { BusReplayed } from '@switchyard/contracts';
import { dynamoDbDocumentClient, outboxPut } from '@switchyard/runtime';
import { config } from '../config';
import type { BusReplayRecord } from '../domain/bus-replays';
import { busReplayedEvent } from '../domain/bus-replays';
import { auditExpiresAtEpoch } from './audit-store';

export const busReplayKey = (replayId: string) => ({ pk: `BUSREPLAY#${replayId}`, sk: 'BUSREPLAY' });

export interface BusReplayStore {
  get(replayId: string): Promise<BusReplayRecord | undefined>;
  start(record: BusReplayRecord): Promise<void>;
  /** False when it was already finished. */
  finish(record: BusReplayRecord): Promise<boolean>;
  listByBus(busName: string, limit: number): Promise<BusReplayRecord[]>;
}

function toItem(record: BusReplayRecord): Record<string, unknown> {
  const { rules, ...rest } = record;
  return {
    ...rest,
    // An empty list is left out: the local stream reader cannot decode one.
    ...(rules.length ? { rules } : {}),
    ...busReplayKey(record.replayId),
    gsi1pk: `BUS#${record.busName}`,
    gsi1sk: `${record.startedAt}#${record.replayId}`,
    expiresAtEpoch: auditExpiresAtEpoch(record.startedAt, config().AUDIT_RETENTION_DAYS),
  };
}

function fromItem(item: Record<string, unknown> | undefined): BusReplayRecord | undefined {
  if (!item) return undefined;
  const { pk: _pk, sk: _sk, gsi1pk: _g, gsi1sk: _s, expiresAtEpoch: _e, ...record } = item;
  return { rules: [], ...record } as unknown as BusReplayRecord;
}

export function createBusReplayStore(
  client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
  tableName: () => string = () => config().AUDIT_TABLE,
): BusReplayStore {
  return {
    async get(replayId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName(), Key: busReplayKey(replayId), ConsistentRead: true }),
      );
      return fromItem(Item);
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
              outboxPut(tableName(), BusReplayed, busReplayedEvent(record)),
            ],
          }),
        );
        return true;
      } catch (error) {
        if ((error as Error).name === 'TransactionCanceledException') return false;
        throw error;
      }
    },
    async listByBus(busName, limit) {
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: 'gsi1',
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': 'gsi1pk' },
          ExpressionAttributeValues: { ':pk': `BUS#${busName}` },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return Items.map((item) => fromItem(item)!);
    },
  };
}

let store: BusReplayStore | undefined;
export function busReplayStore(): BusReplayStore {
  store ??= createBusReplayStore();
  return store;
}
