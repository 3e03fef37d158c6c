import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { operatorActor } from '../adapters/operator';
import { dlqActionDeps, startDlqAction } from '../app/dlq-actions';
import { actionLogFields, startBody } from '../domain/dlq-actions';

/**
 * POST /operator/dlq-actions (IAM-authorised): an operator is about to replay or purge a DLQ. The
 * record exists before any message moves; the answer's `actionId` is what the tool finishes.
 */
export const handler = createHttpHandler({
  authenticate: async ({ event }) => operatorActor(event),
  body: startBody,
  maxBodyBytes: 16 * 1024,
  handler: async ({ body, caller, logger }) => {
    const record = await startDlqAction(dlqActionDeps(), caller, body);
    logger.info('dlq_action_started', actionLogFields(record));
    return jsonResponse(201, record);
  },
});
