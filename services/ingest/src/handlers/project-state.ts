/**
 * ingest's projections, fed by the bus through the `ingest-<stage>-projections` queue: identity's
 * ApiKeyCreated/Updated/Revoked → the key projection, billing's SubscriptionChanged → the tenant's
 * entitlement (src/app/projections.ts). A message that matches no contract goes to the queue's DLQ.
 */
import { createApiKeyProjectionConsumer } from '@switchyard/access';
import { SubscriptionChanged } from '@switchyard/contracts';
import { projectEntitlement } from '../app/projections';
import { projectionStore } from '../adapters/projections';

export const handler = createApiKeyProjectionConsumer({
  store: projectionStore,
  also: {
    contracts: [SubscriptionChanged],
    handleMessage: (message) => projectEntitlement(message, projectionStore()),
  },
});
