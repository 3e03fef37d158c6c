/**
 * The audit trail of DLQ actions, kept by the ops service (`ops-<stage>-audit`) behind its
 * IAM-authorised operator routes (decision 16): the tool records an action before it moves anything
 * and finishes it with the counts; ops takes the actor from the verified signature and publishes
 * DlqReplayed for a finished replay.
 */
import type { DlqActionRecord } from '@switchyard/contracts';
import type { OperatorApi } from '../api';

export type { DlqActionRecord } from '@switchyard/contracts';

/** What starting an action records (the filter: `--filter`, and `--max` as maxMessages). */
export type AuditStart = Pick<DlqActionRecord, 'action' | 'dlqName' | 'targetQueue' | 'filter' | 'dryRun'>;

/** What finishing it adds: the counts, what moved, and a purge's backup file. */
export type AuditFinish = Required<
  Pick<DlqActionRecord, 'moved' | 'skipped' | 'failed' | 'interrupted' | 'messageIds'>
> &
  Pick<DlqActionRecord, 'backupFile'>;

export interface AuditLog {
  start(input: AuditStart): Promise<DlqActionRecord>;
  finish(actionId: string, input: AuditFinish): Promise<DlqActionRecord>;
  list(dlqName: string, limit: number): Promise<DlqActionRecord[]>;
}

export function auditLog(api: OperatorApi): AuditLog {
  return {
    start: (input) =>
      api.request<DlqActionRecord>('POST', '/operator/dlq-actions', {
        body: {
          action: input.action,
          dlqName: input.dlqName,
          ...(input.targetQueue ? { targetQueue: input.targetQueue } : {}),
          filter: input.filter,
          dryRun: input.dryRun,
        },
      }),
    finish: (actionId, input) =>
      api.request<DlqActionRecord>('POST', `/operator/dlq-actions/${encodeURIComponent(actionId)}/finish`, {
        body: input,
      }),
    list: async (dlqName, limit) =>
      (
        await api.request<{ items: DlqActionRecord[] }>('GET', '/operator/dlq-actions', {
          query: { dlq: dlqName, limit: String(limit) },
        })
      ).items,
  };
}
