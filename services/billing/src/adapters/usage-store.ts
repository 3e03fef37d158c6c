/**
 * All access to `billing-<stage>-usage` (layout in ./billing-table.ts): the usage counters of each
 * tenant's billing periods and the dedup sets of the message ids they counted. One transaction per
 * batch and tenant writes the new ids into the sets, the new totals into the counters, and the
 * UsageThresholdReached crossings into billing's outbox (another table: transactions span tables).
 * Every item is conditioned on the revision it was read at.
 *
 * A dedup set holds 12-byte fingerprints (SHA-256 of the message id, truncated: a collision among the
 * ids of one tenant's 10 seconds is about 2^-80 likely) packed into one binary attribute, so a part of
 * up to DEDUP_PART_CAPACITY ids stays near 12 KB and a write costs few capacity units.
 */
import { createHash } from 'node:crypto';
import type { DynamoDBDocumentClient, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { UsageThresholdReached } from '@switchyard/contracts';
import { cancellationReasons, dynamoDbDocumentClient, outboxPut, queryAll } from '@switchyard/runtime';
import { config } from '../config';
import { revisionCondition } from './billing-store';
import type { Metric, Period } from '../domain/usage';
import { METERED_RETENTION_SECONDS, USAGE_RETENTION_SECONDS, usageKeys } from './billing-table';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export const FINGERPRINT_BYTES = 12;

/** The fingerprint of a message id, as stored (hex, for comparing in memory). */
export function fingerprint(messageId: string): string {
  return createHash('sha256').update(messageId).digest().subarray(0, FINGERPRINT_BYTES).toString('hex');
}

export interface DedupPart {
  bucket: string;
  part: number;
  fingerprints: string[];
  revision: number;
}

export interface UsageCounter {
  period: Period;
  used: Record<Metric, number>;
  /** `events:80` etc.: thresholds already announced in this period. */
  announced: string[];
  /** Write requests the meter spent on this counter's batches (for the bench's write figure). */
  meterWrites: number;
  revision: number;
}

export type UsageThresholdBody = Omit<UsageThresholdReached, 'version' | 'id' | 'time' | 'correlationId'>;

export interface UsageWrite {
  tenantId: string;
  dedup: { part: DedupPart; readRevision: number | undefined }[];
  counters: { counter: UsageCounter; readRevision: number | undefined }[];
  announce: UsageThresholdBody[];
}

export interface UsageStore {
  readDedup(tenantId: string, bucket: string): Promise<DedupPart[]>;
  getCounter(tenantId: string, periodStart: string): Promise<UsageCounter | undefined>;
  /** `conflict`: another batch changed an item read; read again. */
  commit(write: UsageWrite): Promise<'committed' | 'conflict'>;
}

const pack = (fingerprints: string[]) => Buffer.from(fingerprints.join(''), 'hex');
function unpack(blob: unknown): string[] {
  if (!(blob instanceof Uint8Array)) return [];
  const hex = Buffer.from(blob).toString('hex');
  const size = FINGERPRINT_BYTES * 2;
  const out: string[] = [];
  for (let i = 0; i + size <= hex.length; i += size) out.push(hex.slice(i, i + size));
  return out;
}

/** The transaction's items (in the usage table, and the outbox in billing's table). */
export function usageTransactItems(
  usageTable: string,
  billingTable: string,
  write: UsageWrite,
  nowMs = Date.now(),
): TransactItem[] {
  const nowEpoch = Math.floor(nowMs / 1000);
  const items: TransactItem[] = [];
  for (const { part, readRevision } of write.dedup) {
    items.push({
      Put: {
        TableName: usageTable,
        Item: {
          ...usageKeys.meteredPart(write.tenantId, part.bucket, part.part),
          ids: pack(part.fingerprints),
          count: part.fingerprints.length,
          revision: (readRevision ?? 0) + 1,
          expiresAtEpoch: nowEpoch + METERED_RETENTION_SECONDS,
        },
        ...revisionCondition(readRevision),
      },
    });
  }
  for (const { counter, readRevision } of write.counters) {
    const end = counter.period.end ? Date.parse(counter.period.end) : nowMs;
    items.push({
      Put: {
        TableName: usageTable,
        Item: {
          ...usageKeys.usage(write.tenantId, counter.period.start),
          tenantId: write.tenantId,
          periodStart: counter.period.start,
          ...(counter.period.end ? { periodEnd: counter.period.end } : {}),
          events: counter.used.events,
          agentQueries: counter.used.agent_queries,
          ...(counter.announced.length ? { announced: counter.announced } : {}),
          meterWrites: counter.meterWrites,
          revision: (readRevision ?? 0) + 1,
          expiresAtEpoch: Math.floor(end / 1000) + USAGE_RETENTION_SECONDS,
        },
        ...revisionCondition(readRevision),
      },
    });
  }
  for (const body of write.announce) items.push(outboxPut(billingTable, UsageThresholdReached, body));
  return items;
}

export function createUsageStore(
  client: () => DynamoDBDocumentClient = dynamoDbDocumentClient,
  tables: () => { usage: string; billing: string } = () => ({
    usage: config().USAGE_TABLE,
    billing: config().BILLING_TABLE,
  }),
): UsageStore {
  return {
    async readDedup(tenantId, bucket) {
      const items = await queryAll(client(), {
        TableName: tables().usage,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':pk': usageKeys.meteredBucket(tenantId, bucket) },
        ConsistentRead: true,
      });
      return items.map((item) => ({
        bucket,
        part: Number(String(item.sk).slice('PART#'.length)),
        fingerprints: unpack(item.ids),
        revision: Number(item.revision ?? 0),
      }));
    },
    async getCounter(tenantId, periodStart) {
      const { Item } = await client().send(
        new GetCommand({
          TableName: tables().usage,
          Key: usageKeys.usage(tenantId, periodStart),
          ConsistentRead: true,
        }),
      );
      if (!Item) return undefined;
      return {
        period: {
          start: String(Item.periodStart),
          ...(Item.periodEnd ? { end: String(Item.periodEnd) } : {}),
        },
        used: { events: Number(Item.events ?? 0), agent_queries: Number(Item.agentQueries ?? 0) },
        announced: Array.isArray(Item.announced) ? Item.announced.map(String) : [],
        meterWrites: Number(Item.meterWrites ?? 0),
        revision: Number(Item.revision ?? 0),
      };
    },
    async commit(write) {
      const { usage, billing } = tables();
      try {
        await client().send(
          new TransactWriteCommand({ TransactItems: usageTransactItems(usage, billing, write) }),
        );
        return 'committed';
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons?.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) {
          return 'conflict';
        }
        throw error;
      }
    },
  };
}

let store: UsageStore | undefined;
export function usageStore(): UsageStore {
  store ??= createUsageStore();
  return store;
}
