/**
 * Usage counting for the monthly quota, off the request path: the events table's stream → one
 * `ADD` per tenant (and calendar month) per stream batch, so accepting an event costs no usage write.
 *
 * At least once: when an update fails the batch is retried whole, so the tenants already counted
 * in it are counted again (the quota errs towards refusing a little early, never towards free
 * events). Bounded by the event source's retries; a record that keeps failing goes to the outbox
 * failure queue like the publisher's.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { logger } from '@switchyard/runtime';
import { usagePeriod } from '../domain/entitlements';
import { isEventItem } from '../adapters/event-store';
import type { Limits } from '../adapters/limits';
import { requestLimits } from '../adapters/limits';

export interface UsageIncrement {
  tenantId: string;
  /** Any instant in the period (the first event's receipt). */
  at: Date;
  count: number;
}

/** New event items of a stream batch, counted per tenant and calendar month. */
export function usageIncrements(event: DynamoDBStreamEvent): UsageIncrement[] {
  const totals = new Map<string, UsageIncrement>();
  for (const record of event.Records) {
    if (record.eventName !== 'INSERT' || !record.dynamodb?.NewImage) continue;
    const item = unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>);
    if (!isEventItem(item)) continue;
    const at = new Date(item.receivedAt);
    const key = `${item.tenantId}\u0000${usagePeriod(at).id}`;
    const current = totals.get(key);
    if (current) current.count += 1;
    else totals.set(key, { tenantId: item.tenantId, at, count: 1 });
  }
  return [...totals.values()];
}

export function createCountUsageHandler(limits: () => Limits) {
  return async (event: DynamoDBStreamEvent): Promise<void> => {
    const increments = usageIncrements(event);
    await Promise.all(increments.map((inc) => limits().addUsage(inc.tenantId, inc.count, inc.at)));
    if (increments.length > 0) {
      logger.debug('usage_counted', {
        tenants: increments.length,
        events: increments.reduce((n, i) => n + i.count, 0),
      });
    }
  };
}

export const handler = createCountUsageHandler(requestLimits);
