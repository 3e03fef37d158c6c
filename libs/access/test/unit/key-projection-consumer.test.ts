// The key projection consumer every service wires: identity's key events into the service's store.
import { defineContract } from '@switchyard/contracts';
import { logger } from '@switchyard/runtime';
import { eventBridgeEnvelope, sqsEvent, sqsRecord } from '@switchyard/runtime/testing';
import { z } from 'zod';
import type { ApiKeyEvent, ProjectionResult } from '../../src/api-keys';
import { createApiKeyProjectionConsumer } from '../../src/key-projection-consumer';
import { created, header, KEY, NOW, revoked, TENANT } from './fixtures';

const createdEvent = created(NOW.toISOString());
const revokedEvent = revoked(NOW.toISOString());

const PlanChanged = defineContract({
  service: 'billing',
  detailType: 'PlanChanged',
  version: 1,
  description: 'A plan changed (test contract).',
  body: { plan: z.string() },
});

function fakeStore() {
  const applied: ApiKeyEvent[] = [];
  const store = {
    applyApiKeyEvent: async (event: ApiKeyEvent): Promise<ProjectionResult> => {
      applied.push(event);
      return {
        outcome: 'applied',
        record: {
          keyId: KEY.keyId,
          tenantId: TENANT,
          status: 'active',
          stamp: { time: '', messageId: '' },
          revision: 1,
        },
      };
    },
  };
  return { store, applied };
}

beforeEach(() => {
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'error').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

describe('createApiKeyProjectionConsumer', () => {
  it("applies identity's key events to the store by detail-type", async () => {
    const { store, applied } = fakeStore();
    const handler = createApiKeyProjectionConsumer({ store: () => store });

    const response = await handler(
      sqsEvent(
        sqsRecord(eventBridgeEnvelope('switchyard.identity', 'ApiKeyCreated', createdEvent.message)),
        sqsRecord(eventBridgeEnvelope('switchyard.identity', 'ApiKeyRevoked', revokedEvent.message)),
      ),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(applied).toEqual([createdEvent, revokedEvent]);
    expect(logger.info).toHaveBeenCalledWith(
      'api_key_projected',
      expect.objectContaining({ keyId: KEY.keyId, detailType: 'ApiKeyCreated', outcome: 'applied' }),
    );
  });

  it('hands the other messages of the queue to `also`, and fails what matches nothing', async () => {
    const { store, applied } = fakeStore();
    const plans: string[] = [];
    const handler = createApiKeyProjectionConsumer({
      store: () => store,
      also: { contracts: [PlanChanged], handleMessage: async (message) => void plans.push(message.plan) },
    });
    const unknown = sqsRecord(eventBridgeEnvelope('switchyard.billing', 'PlanDeleted', {}));

    const response = await handler(
      sqsEvent(
        sqsRecord(
          eventBridgeEnvelope('switchyard.billing', 'PlanChanged', {
            ...header('p1', NOW.toISOString()),
            plan: 'pro',
          }),
        ),
        unknown,
      ),
    );

    expect(plans).toEqual(['pro']);
    expect(applied).toEqual([]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: unknown.messageId }]);
  });
});
