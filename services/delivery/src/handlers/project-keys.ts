/**
 * identity's ApiKeyCreated / ApiKeyUpdated / ApiKeyRevoked (bus rule → `delivery-<stage>-projections`)
 * into delivery's key projection, which authenticates API keys on delivery's routes. A message that
 * matches no contract goes to the queue's DLQ (its alarm says so).
 */
import { ApiKeyCreated, ApiKeyRevoked, ApiKeyUpdated } from '@switchyard/contracts';
import type { ApiKeyEvent, ApiKeyStore } from '@switchyard/access';
import { createSqsConsumer, logger } from '@switchyard/runtime';
import { keyProjection } from '../adapters/key-projection';

export const PROJECTED_CONTRACTS = [ApiKeyCreated, ApiKeyUpdated, ApiKeyRevoked] as const;

export async function projectKey(
  event: ApiKeyEvent,
  store: Pick<ApiKeyStore, 'applyApiKeyEvent'>,
): Promise<void> {
  const result = await store.applyApiKeyEvent(event);
  logger.info('api_key_projected', {
    tenantId: event.message.tenantId,
    keyId: event.message.keyId,
    detailType: event.detailType,
    outcome: result.outcome,
    status: result.record.status,
    ...(result.outcome === 'ignored' ? { reason: result.reason } : {}),
  });
}

export const handler = createSqsConsumer({
  contract: PROJECTED_CONTRACTS,
  handleMessage: (message, ctx) =>
    projectKey({ detailType: ctx.contract.detailType, message } as ApiKeyEvent, keyProjection()),
});
