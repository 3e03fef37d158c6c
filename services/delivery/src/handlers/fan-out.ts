/**
 * EventReceived (ingest, through the bus rule → `delivery-<stage>-events`) → the event's messages
 * and their first attempts (../app/fan-out.ts).
 */
import { EventReceived } from '@switchyard/contracts';
import { createSqsConsumer } from '@switchyard/runtime';
import { fanOut, fanOutDeps } from '../app/fan-out';

export const handler = createSqsConsumer({
  contract: EventReceived,
  // Events are independent: a batch fans out at once rather than one event after another.
  processInParallel: true,
  handleMessage: (message) => fanOut(message, fanOutDeps()),
});
