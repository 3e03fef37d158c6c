import { createOutboxPublisher } from '@switchyard/runtime';

/** Publishes the agent's outbox items (AgentQueryCompleted). */
export const handler = createOutboxPublisher();
