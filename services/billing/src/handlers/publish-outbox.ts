import { createOutboxPublisher } from '@switchyard/runtime';

/** Publishes billing's outbox items (SubscriptionChanged, CheckoutCompleted, invoices, thresholds). */
export const handler = createOutboxPublisher();
