/**
 * ingest's projection of billing's SubscriptionChanged: the tenant's entitlement, applied newer-wins
 * (domain) with conditional writes (adapter), so redeliveries and any delivery order converge. The
 * API key projection is the shared consumer's of @switchyard/access.
 */
import type { SubscriptionChanged } from '@switchyard/contracts';
import { logger } from '@switchyard/runtime';
import type { ProjectionStore } from '../adapters/projections';

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
