/** The counters, from the table's own stream: each record applied once, whatever the retries. */
import { PersonActivityChanged } from '@switchyard/contracts';
import type { Contract } from '@switchyard/contracts';
import type { PublishInput } from '@switchyard/runtime';
import type { ActivityStore } from '../adapters/activity-store';
import { personActivityChange, planAggregation } from '../domain/aggregation';

export interface AggregateDeps {
  store: Pick<ActivityStore, 'applyCounters' | 'touchPerson' | 'publishOnce'>;
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
  // A person's counters moved (the aggregator's own writes, read back from the stream): their totals
  // go to the bus for identity's profiles.
  const person = personActivityChange(change.oldImage, change.newImage);
  if (person) {
    const input: PublishInput<typeof PersonActivityChanged> = {
      tenantId: person.tenantId,
      userId: person.userId,
      commentCount: person.commentCount,
      ...(person.lastActiveAt ? { lastActiveAt: person.lastActiveAt } : {}),
      countersVersion: person.countersVersion,
    };
    await deps.store.publishOnce(
      change.eventId,
      [{ contract: PersonActivityChanged as Contract, input: input as PublishInput<Contract> }],
      deps.now(),
    );
    return;
  }
  const plan = planAggregation(change.eventName, change.oldImage, change.newImage);
  if (!plan) return;
  await deps.store.applyCounters(change.eventId, plan, deps.now());
  if (plan.activeAt) await deps.store.touchPerson(plan.tenantId, plan.activeAt.userId, plan.activeAt.at);
}
