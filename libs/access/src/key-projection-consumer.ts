/**
 * The consumer that keeps a service's key projection: identity's ApiKeyCreated / ApiKeyUpdated /
 * ApiKeyRevoked, delivered by a bus rule to the service's projections queue, applied to its store
 * (newer-wins, revoked is final; see ./api-keys.ts and ./key-store.ts) and logged as
 * `api_key_projected`. A message that matches no contract goes to the queue's DLQ.
 *
 * A service wires it in a few lines:
 *
 *   export const handler = createApiKeyProjectionConsumer({ store: keyProjection });
 *
 * and passes `also` when the same queue carries other messages (ingest's SubscriptionChanged).
 */
import { ApiKeyCreated, ApiKeyRevoked, ApiKeyUpdated } from '@switchyard/contracts';
import type { Contract, MessageOf } from '@switchyard/contracts';
import { createSqsConsumer, logger } from '@switchyard/runtime';
import type { SqsMessageContext } from '@switchyard/runtime';
import type { ApiKeyEvent, ProjectionResult } from './api-keys';
import type { ApiKeyStore } from './key-store';

/** identity's key events: what every key projection consumes. */
export const API_KEY_CONTRACTS = [ApiKeyCreated, ApiKeyUpdated, ApiKeyRevoked] as const;
type ApiKeyContract = (typeof API_KEY_CONTRACTS)[number];

/** Applies one key event to the projection and logs the outcome. */
export async function projectApiKeyEvent(
  event: ApiKeyEvent,
  store: Pick<ApiKeyStore, 'applyApiKeyEvent'>,
): Promise<ProjectionResult> {
  const result = await store.applyApiKeyEvent(event);
  logger.info('api_key_projected', {
    tenantId: event.message.tenantId,
    keyId: event.message.keyId,
    detailType: event.detailType,
    outcome: result.outcome,
    status: result.record.status,
    ...(result.outcome === 'ignored' ? { reason: result.reason } : {}),
  });
  return result;
}

export interface ApiKeyProjectionConsumerOptions<C extends Contract> {
  /** The service's key projection (a function, so it is created when first used). */
  store: () => Pick<ApiKeyStore, 'applyApiKeyEvent'>;
  /** Other messages of the same queue and how to handle them. */
  also?: {
    contracts: readonly C[];
    handleMessage: (message: MessageOf<C>, ctx: SqsMessageContext<C>) => Promise<void>;
  };
}

export function createApiKeyProjectionConsumer<C extends Contract = never>(
  options: ApiKeyProjectionConsumerOptions<C>,
) {
  const isKeyEvent = (contract: Contract): contract is ApiKeyContract =>
    (API_KEY_CONTRACTS as readonly Contract[]).includes(contract);
  return createSqsConsumer<ApiKeyContract | C>({
    contract: [...API_KEY_CONTRACTS, ...(options.also?.contracts ?? [])],
    handleMessage: async (message, ctx) => {
      if (isKeyEvent(ctx.contract)) {
        const event = { detailType: ctx.contract.detailType, message } as ApiKeyEvent;
        await projectApiKeyEvent(event, options.store());
        return;
      }
      await options.also?.handleMessage(message as MessageOf<C>, ctx as SqsMessageContext<C>);
    },
  });
}
