/**
 * GET /status: whether DynamoDB answers a cheap read of both tables, the version, and how long this
 * instance has been up. Never says why a dependency failed (that is logged instead).
 */
import { logger } from '@switchyard/runtime';
import type { StatusResponse } from '../api-schemas';
import type { InboxStore } from '../adapters/inbox-store';
import { inboxStore } from '../adapters/inbox-store';
import { serviceVersion } from '../adapters/openapi';

/** When this container started (module load = cold start). */
const startedAt = Date.now();

export async function serviceStatus(store: Pick<InboxStore, 'ping'> = inboxStore()): Promise<StatusResponse> {
  const dynamodb = await store.ping();
  if (!dynamodb.ok)
    logger.error('status_dependency_failed', { dependency: 'dynamodb', error: dynamodb.error as Error });
  return {
    status: dynamodb.ok ? 'ok' : 'degraded',
    version: serviceVersion(),
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    dependencies: { dynamodb: dynamodb.ok ? 'ok' : 'error' },
  };
}
