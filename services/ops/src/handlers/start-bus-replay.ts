import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { operatorActor } from '../adapters/operator';
import { busReplayDeps, startBusReplay } from '../app/bus-replays';
import { busReplayLogFields, startBusReplayBody } from '../domain/bus-replays';

/**
 * POST /operator/bus-replays (IAM-authorised): an operator is about to replay a window of the bus's
 * archive. The record exists before StartReplay runs; the answer's `replayId` is what the tool finishes.
 */
export const handler = createHttpHandler({
  authenticate: async ({ event }) => operatorActor(event),
  body: startBusReplayBody,
  maxBodyBytes: 16 * 1024,
  handler: async ({ body, caller, logger }) => {
    const record = await startBusReplay(busReplayDeps(), caller, body);
    logger.info('bus_replay_started', busReplayLogFields(record));
    return jsonResponse(201, record);
  },
});
