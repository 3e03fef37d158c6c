/**
 * Publishes delivery's outbox items (MessageExhausted, EndpointDisabled), written in the same
 * transaction as the change they announce, from the table's stream to the bus.
 */
import { createOutboxPublisher } from '@switchyard/runtime';

export const handler = createOutboxPublisher();
