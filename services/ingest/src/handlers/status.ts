import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import type { StatusResponse } from '../api-schemas';
import { inboxStore } from '../adapters/inbox-store';
import { serviceVersion } from '../adapters/openapi';

/** When this container started (module load = cold start). */
const startedAt = Date.now();

/**
 * GET /status (no authentication): 200 when DynamoDB answers a cheap read of both tables, 503
 * otherwise, with the version and how long this instance has been up. Never says why (logged instead).
 */
export const handler = createHttpHandler({
  handler: async ({ logger }) => {
    const dynamodb = await inboxStore().ping();
    if (!dynamodb.ok)
      logger.error('status_dependency_failed', { dependency: 'dynamodb', error: dynamodb.error as Error });
    const body: StatusResponse = {
      status: dynamodb.ok ? 'ok' : 'degraded',
      version: serviceVersion(),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      dependencies: { dynamodb: dynamodb.ok ? 'ok' : 'error' },
    };
    return jsonResponse(dynamodb.ok ? 200 : 503, body);
  },
});
