/**
 * What the agent's tools and gate read, from the bus (rules → `agent-<stage>-feed`): ingest's
 * EventReceived, billing's SubscriptionChanged and UsageThresholdReached, delivery's EndpointDisabled
 * and MessageExhausted, each into the agent's own projection under the message's tenant.
 */
import {
  EndpointDisabled,
  EventReceived,
  MessageExhausted,
  SubscriptionChanged,
  UsageThresholdReached,
} from '@switchyard/contracts';
import { createSqsConsumer } from '@switchyard/runtime';
import { agentStore } from '../adapters/agent-store';
import { projectMessage } from '../app/project';

export const handler = createSqsConsumer({
  contract: [EventReceived, SubscriptionChanged, UsageThresholdReached, EndpointDisabled, MessageExhausted],
  handleMessage: (message, { contract }) => projectMessage(contract.detailType, message, agentStore()),
});
