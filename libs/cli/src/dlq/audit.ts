/**
 * The audit trail of DLQ actions, kept by the ops service (`ops-<stage>-audit`) behind its
 * IAM-authorised operator routes (decision 16): the tool records an action before it moves anything
 * and finishes it with the counts; ops takes the actor from the verified signature and publishes
 * DlqReplayed for a finished replay.
 */
import type { OperatorApi } from '../api';
import type { ReplayFilter } from './filter';

export interface AuditFilter extends ReplayFilter {
  maxMessages?: number;
}

export interface DlqActionRecord {
  actionId: string;
  action: 'replay' | 'purge';
  dlqName: string;
  targetQueue?: string;
  filter: AuditFilter;
  dryRun: boolean;
  actor: string;
  status: 'started' | 'finished';
  startedAt: string;
  finishedAt?: string;
  moved?: number;
  skipped?: number;
  failed?: number;
  interrupted?: boolean;
  messageIds?: string[];
  backupFile?: string;
}

export interface AuditLog {
  start(input: {
    action: 'replay' | 'purge';
    dlqName: string;
    targetQueue?: string;
    filter: AuditFilter;
    dryRun: boolean;
  }): Promise<DlqActionRecord>;
  finish(
    actionId: string,
    input: {
      moved: number;
      skipped: number;
      failed: number;
      interrupted: boolean;
      messageIds: string[];
      backupFile?: string;
    },
  ): Promise<DlqActionRecord>;
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
