import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { z } from 'zod';
import { operatorActor } from '../adapters/operator';
import { dlqActionDeps, finishDlqAction } from '../app/dlq-actions';
import { actionLogFields, finishBody } from '../domain/dlq-actions';

/**
 * POST /operator/dlq-actions/{actionId}/finish (IAM-authorised): how the action ended. A replay's
 * record and its DlqReplayed (outbox) are written in one transaction. Finishing twice is a 409.
 */
export const handler = createHttpHandler({
  authenticate: async ({ event }) => operatorActor(event),
  path: z.object({ actionId: z.string().min(1).max(128) }),
  body: finishBody,
  maxBodyBytes: 4 * 1024 * 1024,
  handler: async ({ path, body, caller, logger }) => {
    const finished = await finishDlqAction(dlqActionDeps(), path.actionId, body);
    logger.info('dlq_action_finished', { ...actionLogFields(finished), finishedBy: caller });
    return jsonResponse(200, finished);
  },
});
