/**
 * ingest's projections, fed by the bus through the `ingest-<stage>-projections` queue: identity's
 * ApiKeyCreated/Updated/Revoked → the key projection, billing's SubscriptionChanged → the tenant's
 * entitlement. Newer-wins rules (domain) + conditional writes (adapter), so redeliveries and any
 * delivery order converge; a message that matches no contract goes to the queue's DLQ.
 */
import type { ApiKeyCreated, ApiKeyRevoked, ApiKeyUpdated, SubscriptionChanged } from '@switchyard/contracts';
import {
  ApiKeyCreated as ApiKeyCreatedContract,
  ApiKeyRevoked as ApiKeyRevokedContract,
  ApiKeyUpdated as ApiKeyUpdatedContract,
  SubscriptionChanged as SubscriptionChangedContract,
} from '@switchyard/contracts';
import { createSqsConsumer, logger } from '@switchyard/runtime';
import type { ApiKeyEvent } from '@switchyard/access';
import type { ProjectionStore } from '../adapters/projections';
import { projectionStore } from '../adapters/projections';

export const PROJECTED_CONTRACTS = [
  ApiKeyCreatedContract,
  ApiKeyUpdatedContract,
  ApiKeyRevokedContract,
  SubscriptionChangedContract,
] as const;

type Projected = ApiKeyCreated | ApiKeyUpdated | ApiKeyRevoked | SubscriptionChanged;

export async function project(detailType: string, message: Projected, store: ProjectionStore): Promise<void> {
  if (detailType === SubscriptionChangedContract.detailType) {
    const result = await store.applySubscriptionChanged(message as SubscriptionChanged);
    logger.info('entitlement_projected', {
      tenantId: message.tenantId,
      outcome: result.outcome,
      status: result.record.status,
      ...(result.outcome === 'ignored' ? { reason: result.reason } : {}),
    });
    return;
  }
  const event = { detailType, message } as ApiKeyEvent;
  const result = await store.applyApiKeyEvent(event);
  logger.info('api_key_projected', {
    tenantId: message.tenantId,
    keyId: event.message.keyId,
    detailType,
    outcome: result.outcome,
    status: result.record.status,
    ...(result.outcome === 'ignored' ? { reason: result.reason } : {}),
  });
}

export const handler = createSqsConsumer({
  contract: PROJECTED_CONTRACTS,
  handleMessage: (message, ctx) => project(ctx.contract.detailType, message as Projected, projectionStore()),
});
