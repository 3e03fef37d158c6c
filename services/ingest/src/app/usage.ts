/**
 * Usage counting for the monthly quota, off the request path: the events table's stream → one
 * `ADD` per tenant (and calendar month) per stream batch, so accepting an event costs no usage write.
 *
 * An update that fails fails the records it counted (partial batch response), so only the records
 * from the first of them on come again. At least once: the other counts of those later records
 * were written and are written again (the quota errs towards refusing a little early, never
 * towards free events). Bounded by the event source's retries; a record that keeps failing goes to
 * the usage failure queue.
 */
import type { StreamBatchFailure, StreamChange } from '@switchyard/runtime';
import { errorMessage, logger } from '@switchyard/runtime';
import { usagePeriod } from '../domain/entitlements';
import { isEventItem } from '../adapters/event-store';
import type { Limits } from '../adapters/limits';

export interface UsageIncrement {
  tenantId: string;
  /** Any instant in the period (the first event's receipt). */
  at: Date;
  count: number;
  /** The stream records counted, which fail together when the update does. */
  sequenceNumbers: string[];
}

/** New event items of a stream batch, counted per tenant and calendar month. */
export function usageIncrements(changes: StreamChange[]): UsageIncrement[] {
  const totals = new Map<string, UsageIncrement>();
  for (const { eventName, newImage, sequenceNumber } of changes) {
    if (eventName !== 'INSERT' || !isEventItem(newImage)) continue;
    const at = new Date(newImage.receivedAt);
    const key = `${newImage.tenantId}\u0000${usagePeriod(at).id}`;
    const current = totals.get(key);
    if (current) {
      current.count += 1;
      current.sequenceNumbers.push(sequenceNumber);
    } else totals.set(key, { tenantId: newImage.tenantId, at, count: 1, sequenceNumbers: [sequenceNumber] });
  }
  return [...totals.values()];
}

/** Writes the batch's increments at once; the records of a failed one are returned as failures. */
export async function countUsage(changes: StreamChange[], limits: Limits): Promise<StreamBatchFailure[]> {
  const increments = usageIncrements(changes);
  const outcomes = await Promise.allSettled(
    increments.map((inc) => limits.addUsage(inc.tenantId, inc.count, inc.at)),
  );
  const failures = outcomes.flatMap((outcome, i) =>
    outcome.status === 'fulfilled'
      ? []
      : (increments[i]?.sequenceNumbers ?? []).map((sequenceNumber) => ({
          sequenceNumber,
          reason: `usage of ${increments[i]?.tenantId} not counted: ${errorMessage(outcome.reason)}`,
          error: outcome.reason,
        })),
  );
  if (increments.length > 0) {
    logger.debug('usage_counted', {
      tenants: increments.length,
      events: increments.reduce((n, i) => n + i.count, 0),
      failedEvents: failures.length,
    });
  }
  return failures;
}
