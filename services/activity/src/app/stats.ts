/** What the counters say about an item. */
import type { ActivityStore } from '../adapters/activity-store';
import type { Viewer } from '../domain/comments';

export interface StatsDeps {
  store: Pick<ActivityStore, 'itemStats'>;
}

export async function itemStats(viewer: Viewer, itemId: string, deps: StatsDeps) {
  return { itemId, ...(await deps.store.itemStats(viewer.tenantId, itemId)) };
}
