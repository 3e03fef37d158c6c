/**
 * The outbox publisher: the events table's stream → EventReceived and EventAcknowledged on the bus
 * (src/app/outbox.ts).
 */
import { createStreamConsumer, publish } from '@switchyard/runtime';
import { publishChanges } from '../app/outbox';
import { payloadStore } from '../adapters/payloads';
import { config } from '../config';

export const handler = createStreamConsumer({
  handleBatch: (changes) =>
    publishChanges(changes, { payloads: payloadStore(), bucket: config().PAYLOAD_BUCKET, publish }),
});
