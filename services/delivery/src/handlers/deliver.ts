/**
 * DeliveryRequested (`delivery-<stage>-attempts`, and `-attempts-slow` for deliverSlow) → one attempt
 * to one endpoint (../app/deliver.ts). The batch's records are handled concurrently, so one slow
 * endpoint does not hold up the others.
 */
import { DeliveryRequested } from '@switchyard/contracts';
import { createSqsConsumer } from '@switchyard/runtime';
import { deliver, deliverDeps } from '../app/deliver';

export const handler = createSqsConsumer({
  contract: DeliveryRequested,
  processInParallel: true,
  handleMessage: (message) => deliver(message, deliverDeps()),
});
