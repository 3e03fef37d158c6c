/** The counters, from the table's own stream: each record applied once, whatever the retries. */
import type { ActivityStore } from '../adapters/activity-store';
import { planAggregation } from '../domain/aggregation';

export interface AggregateDeps {
  store: Pick<ActivityStore, 'applyCounters' | 'touchPerson'>;
  now: () => Date;
}

export interface ChangeRecord {
  /** The stream record's id: the same on every redelivery. */
  eventId: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  oldImage?: Record<string, unknown>;
  newImage?: Record<string, unknown>;
}

export async function aggregateChange(change: ChangeRecord, deps: AggregateDeps): Promise<void> {
  const plan = planAggregation(change.eventName, change.oldImage, change.newImage);
  if (!plan) return;
  await deps.store.applyCounters(change.eventId, plan, deps.now());
  if (plan.activeAt) await deps.store.touchPerson(plan.tenantId, plan.activeAt.userId, plan.activeAt.at);
}
