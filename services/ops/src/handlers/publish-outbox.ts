import { createOutboxPublisher } from '@switchyard/runtime';

export const handler = createOutboxPublisher();
