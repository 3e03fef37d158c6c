/**
 * What the history routes show: an endpoint's attempts (newest first) and one event's deliveries
 * (a message per subscription with every attempt). Reads keyed by the caller's tenant, so another
 * tenant's subscription or event is a 404 like one that does not exist.
 */
import { notFound } from '@switchyard/runtime';
import type { PageQuery } from '../api-schemas';
import type { ApiStore, Page } from '../adapters/api-store';
import { apiStore } from '../adapters/api-store';
import type { DeliveryAttempt } from '../domain/model';
import type { EventDeliveriesView } from '../domain/subscriptions';
import { toEventDeliveriesView } from '../domain/subscriptions';
import type { Caller } from './subscriptions';
import { findSubscription } from './subscriptions';

export interface HistoryDeps {
  store: Pick<ApiStore, 'getSubscription' | 'listAttempts' | 'getEventDeliveries'>;
}

export function historyDeps(): HistoryDeps {
  return { store: apiStore() };
}

/** GET /subscriptions/{id}/attempts. */
export async function listAttempts(
  caller: Caller,
  subscriptionId: string,
  query: PageQuery,
  deps: HistoryDeps,
): Promise<Page<DeliveryAttempt>> {
  await findSubscription(deps.store, caller.tenantId, subscriptionId);
  return deps.store.listAttempts(caller.tenantId, subscriptionId, query);
}

/** GET /events/{id}/deliveries. */
export async function eventDeliveries(
  caller: Caller,
  eventId: string,
  deps: HistoryDeps,
): Promise<EventDeliveriesView> {
  const found = await deps.store.getEventDeliveries(caller.tenantId, eventId);
  const view = toEventDeliveriesView(eventId, found.event, found.messages, found.attempts);
  if (!view) throw notFound('No deliveries for this event');
  return view;
}
