import { randomUUID } from 'node:crypto';
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { auditStore } from '../adapters/audit-store';
import { operatorActor } from '../adapters/operator';
import { startBody, startRecord } from '../domain/dlq-actions';

/**
 * POST /operator/dlq-actions (IAM-authorised): an operator is about to replay or purge a DLQ. The
 * record exists before any message moves; the answer's `actionId` is what the tool finishes.
 */
export const handler = createHttpHandler({
  authenticate: async ({ event }) => operatorActor(event),
  body: startBody,
  maxBodyBytes: 16 * 1024,
  handler: async ({ body, caller, logger }) => {
    const record = startRecord(body, caller, `dlqa_${randomUUID()}`, new Date());
    await auditStore().start(record);
    logger.info('dlq_action_started', {
      actionId: record.actionId,
      action: record.action,
      dlqName: record.dlqName,
      dryRun: record.dryRun,
      actor: record.actor,
    });
    return jsonResponse(201, record);
  },
});
