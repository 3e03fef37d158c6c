import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { operatorActor } from '../adapters/operator';
import { dlqActionDeps, listDlqActions } from '../app/dlq-actions';

/** GET /operator/dlq-actions?dlq=<name>&limit=N (IAM-authorised): one DLQ's actions, newest first. */
export const handler = createHttpHandler({
  authenticate: async ({ event }) => operatorActor(event),
  query: z.object({
    dlq: z.string().min(1).max(80),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  }),
  handler: async ({ query }) =>
    jsonResponse(200, { items: await listDlqActions(dlqActionDeps(), query.dlq, query.limit) }),
});
