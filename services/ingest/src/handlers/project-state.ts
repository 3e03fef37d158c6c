/**
 * ingest's projections, fed by the bus through the `ingest-<stage>-projections` queue: identity's
 * ApiKeyCreated/Updated/Revoked → the key projection, billing's SubscriptionChanged → the tenant's
 * entitlement. Newer-wins rules (domain) + conditional writes (adapter), so redeliveries and any
 * delivery order converge; a message that matches no contract goes to the queue's DLQ.
 */
import { createApiKeyProjectionConsumer } from '@switchyard/access';
import { SubscriptionChanged } from '@switchyard/contracts';
import { logger } from '@switchyard/runtime';
import type { ProjectionStore } from '../adapters/projections';
import { projectionStore } from '../adapters/projections';

export async function projectEntitlement(
  message: SubscriptionChanged,
  store: ProjectionStore,
): Promise<void> {
  const result = await store.applySubscriptionChanged(message);
  logger.info('entitlement_projected', {
    tenantId: message.tenantId,
    outcome: result.outcome,
    status: result.record.status,
    ...(result.outcome === 'ignored' ? { reason: result.reason } : {}),
  });
}

export const handler = createApiKeyProjectionConsumer({
  store: projectionStore,
  also: {
    contracts: [SubscriptionChanged],
    handleMessage: (message) => projectEntitlement(message, projectionStore()),
  },
});
