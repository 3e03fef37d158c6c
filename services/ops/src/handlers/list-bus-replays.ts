import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { operatorActor } from '../adapters/operator';
import { busReplayDeps, listBusReplays } from '../app/bus-replays';

/** GET /operator/bus-replays?bus=<name>&limit=N (IAM-authorised): one bus's replays, newest first. */
export const handler = createHttpHandler({
  authenticate: async ({ event }) => operatorActor(event),
  query: z.object({
    bus: z.string().min(1).max(256),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  }),
  handler: async ({ query }) =>
    jsonResponse(200, { items: await listBusReplays(busReplayDeps(), query.bus, query.limit) }),
});
