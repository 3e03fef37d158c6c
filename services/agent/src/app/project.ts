/** Which projection each bus message feeds (see ../handlers/project-feed.ts). */
import type {
  EndpointDisabled,
  EventReceived,
  MessageExhausted,
  SubscriptionChanged,
  UsageThresholdReached,
} from '@switchyard/contracts';
import type { AgentStore } from '../adapters/agent-store';

type FeedMessage =
  EventReceived | SubscriptionChanged | UsageThresholdReached | EndpointDisabled | MessageExhausted;

export async function projectMessage(
  detailType: string,
  message: FeedMessage,
  store: Pick<AgentStore, 'putEvent' | 'applySubscriptionChanged' | 'putThreshold' | 'putWebhookProblem'>,
): Promise<void> {
  switch (detailType) {
    case 'EventReceived':
      return store.putEvent(message.tenantId, message as EventReceived);
    case 'SubscriptionChanged':
      await store.applySubscriptionChanged(message as SubscriptionChanged);
      return;
    case 'UsageThresholdReached':
      return store.putThreshold(message.tenantId, message as UsageThresholdReached);
    case 'EndpointDisabled':
    case 'MessageExhausted':
      return store.putWebhookProblem(message.tenantId, message as EndpointDisabled | MessageExhausted);
    default:
      throw new Error(`no projection for ${detailType}`);
  }
}
