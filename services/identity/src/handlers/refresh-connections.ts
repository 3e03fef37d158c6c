import { createScheduledHandler } from '@switchyard/runtime';
import { connectionDeps } from '../app/deps';
import type { RefreshSummary } from '../app/refresh-connections';
import { refreshDueConnections } from '../app/refresh-connections';

/** Runs every 12 hours (`schedule: rate(12 hours)`); any event triggers one pass. */
export const handler = createScheduledHandler({
  name: 'refresh-connections',
  run: (): Promise<RefreshSummary> => refreshDueConnections(connectionDeps()),
});
