import { createOutboxPublisher } from '@switchyard/runtime';

/** Publishes activity's outbox items (comments, reactions, conversations, messages). */
export const handler = createOutboxPublisher();
