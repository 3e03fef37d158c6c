import { conflict, createHttpHandler, jsonResponse, notFound } from '@switchyard/runtime';
import { z } from 'zod';
import { auditStore } from '../adapters/audit-store';
import { operatorActor } from '../adapters/operator';
import { finishBody, finishRecord } from '../domain/dlq-actions';

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
    const store = auditStore();
    const record = await store.get(path.actionId);
    if (!record) throw notFound('No such DLQ action.');
    if (record.status === 'finished') throw conflict('This DLQ action is already finished.');
    const finished = finishRecord(record, body, new Date());
    if (!(await store.finish(finished))) throw conflict('This DLQ action is already finished.');
    logger.info('dlq_action_finished', {
      actionId: finished.actionId,
      action: finished.action,
      dlqName: finished.dlqName,
      moved: finished.moved,
      skipped: finished.skipped,
      failed: finished.failed,
      interrupted: finished.interrupted,
      dryRun: finished.dryRun,
      actor: finished.actor,
      finishedBy: caller,
    });
    return jsonResponse(200, finished);
  },
});
