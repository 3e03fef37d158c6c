import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { operatorActor } from '../adapters/operator';
import { busReplayDeps, finishBusReplay } from '../app/bus-replays';
import { busReplayLogFields, finishBusReplayBody } from '../domain/bus-replays';

/**
 * POST /operator/bus-replays/{replayId}/finish (IAM-authorised): how the replay ended. The record
 * and its BusReplayed (outbox) are written in one transaction. Finishing twice is a 409.
 */
export const handler = createHttpHandler({
  authenticate: async ({ event }) => operatorActor(event),
  path: z.object({ replayId: z.string().min(1).max(128) }),
  body: finishBusReplayBody,
  maxBodyBytes: 16 * 1024,
  handler: async ({ path, body, caller, logger }) => {
    const finished = await finishBusReplay(busReplayDeps(), path.replayId, body);
    logger.info('bus_replay_finished', { ...busReplayLogFields(finished), finishedBy: caller });
    return jsonResponse(200, finished);
  },
});
