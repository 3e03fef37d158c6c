/**
 * Counts the DynamoDB writes one request makes, for the write-cost figure (goal: at most 2 per
 * accepted event without an idempotency key). Every write in the write path sends
 * `ReturnConsumedCapacity: 'TOTAL'`; the adapters add each answer here, and the use case logs the
 * totals once per request (`write_cost`: `dynamodbWrites`, `dynamodbWriteUnits`, `events`).
 *
 * One meter per request (not a module counter): the local cloud may run several invocations of a
 * function at once in one worker.
 */
import type { ConsumedCapacity } from '@aws-sdk/client-dynamodb';

export interface WriteMeter {
  /** Item writes attempted (a transaction of two puts is two). */
  writes: number;
  /** Write capacity units DynamoDB reported (transactions cost two per item-KB). */
  writeUnits: number;
  add(items: number, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void;
}

export function createWriteMeter(): WriteMeter {
  const meter: WriteMeter = {
    writes: 0,
    writeUnits: 0,
    add(items, consumed) {
      meter.writes += items;
      const list = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed];
      for (const entry of list) meter.writeUnits += entry.WriteCapacityUnits ?? entry.CapacityUnits ?? 0;
    },
  };
  return meter;
}

/** For code paths that do not report (tests, scripts). */
export const noMeter = (): WriteMeter => createWriteMeter();
