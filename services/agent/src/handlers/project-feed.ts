/**
 * ingest's EventReceived and billing's SubscriptionChanged (bus rules → `agent-<stage>-feed`) into
 * the agent's own projections: the events its tools read, the entitlement its gate checks.
 */
import { EventReceived, SubscriptionChanged } from '@switchyard/contracts';
import { createSqsConsumer } from '@switchyard/runtime';
import { agentStore } from '../adapters/agent-store';

export const handler = createSqsConsumer({
  contract: [EventReceived, SubscriptionChanged],
  handleMessage: async (message) => {
    const store = agentStore();
    if ('eventId' in message) await store.putEvent(message.tenantId, message);
    else await store.applySubscriptionChanged(message);
  },
});
