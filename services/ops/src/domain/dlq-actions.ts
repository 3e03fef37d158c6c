/**
 * The audit trail of DLQ actions (pure: no AWS, clock and ids passed in).
 *
 * An operator's tool records an action in two steps: `start` before any message moves (so an
 * interrupted or crashed run still leaves a record of who started what), then `finish` with the
 * counts. Finishing a replay announces it as DlqReplayed; a purge is kept in the table only (no
 * consumer needs to hear about it, and DlqReplayed would misname it).
 */
import { DLQ_ACTIONS, PLATFORM_TENANT_ID, dlqFilterFields, dlqQueueName } from '@switchyard/contracts';
import type { DlqActionRecord, DlqReplayed } from '@switchyard/contracts';
import { z } from 'zod';

export type { DlqActionRecord } from '@switchyard/contracts';

/** At most this many moved message ids are kept on a record (the counts are always exact). */
export const MAX_RECORDED_IDS = 1000;

const id = () => z.string().min(1).max(128);

/** Which messages an action selects; empty means all. The fields of DlqReplayed's `filter`. */
export const dlqFilterSchema = z.object(dlqFilterFields).strict();

export const startBody = z
  .object({
    action: z.enum(DLQ_ACTIONS),
    dlqName: dlqQueueName(),
    /** Where a replay sends messages (required for a replay, absent for a purge). */
    targetQueue: dlqQueueName().optional(),
    filter: dlqFilterSchema.default({}),
    dryRun: z.boolean().default(false),
  })
  .strict()
  .superRefine((body, ctx) => {
    if (body.action === 'replay' && !body.targetQueue)
      ctx.addIssue({ code: 'custom', path: ['targetQueue'], message: 'a replay needs its target queue' });
    if (body.action === 'purge' && body.targetQueue)
      ctx.addIssue({ code: 'custom', path: ['targetQueue'], message: 'a purge has no target queue' });
  });
export type StartInput = z.infer<typeof startBody>;

export const finishBody = z
  .object({
    moved: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    interrupted: z.boolean().default(false),
    /** Ids (SQS message ids) of what was moved or purged; the first MAX_RECORDED_IDS are kept. */
    messageIds: z.array(id()).max(100_000).default([]),
    /** Where a purge wrote its backup (a path on the operator's machine). */
    backupFile: z.string().min(1).max(1024).optional(),
  })
  .strict();
export type FinishInput = z.infer<typeof finishBody>;

export function startRecord(input: StartInput, actor: string, actionId: string, now: Date): DlqActionRecord {
  return {
    actionId,
    action: input.action,
    dlqName: input.dlqName,
    ...(input.targetQueue ? { targetQueue: input.targetQueue } : {}),
    filter: input.filter,
    dryRun: input.dryRun,
    actor,
    status: 'started',
    startedAt: now.toISOString(),
  };
}

export function finishRecord(record: DlqActionRecord, input: FinishInput, now: Date): DlqActionRecord {
  const truncated = input.messageIds.length > MAX_RECORDED_IDS;
  return {
    ...record,
    status: 'finished',
    finishedAt: now.toISOString(),
    moved: input.moved,
    skipped: input.skipped,
    failed: input.failed,
    interrupted: input.interrupted,
    messageIds: input.messageIds.slice(0, MAX_RECORDED_IDS),
    ...(truncated ? { messageIdsTruncated: true } : {}),
    ...(input.backupFile ? { backupFile: input.backupFile } : {}),
  };
}

/** DlqReplayed's body (and tenant) for a finished replay; undefined for a purge. */
export function replayedEvent(
  record: DlqActionRecord,
): (Omit<DlqReplayed, 'version' | 'id' | 'time' | 'correlationId'> & { tenantId: string }) | undefined {
  if (record.action !== 'replay' || record.status !== 'finished') return undefined;
  return {
    tenantId: record.filter.tenantId ?? PLATFORM_TENANT_ID,
    dlqName: record.dlqName,
    targetQueue: record.targetQueue ?? record.dlqName,
    filter: record.filter,
    moved: record.moved ?? 0,
    skipped: record.skipped ?? 0,
    failed: record.failed ?? 0,
    actor: record.actor.length <= 256 ? record.actor : `…${record.actor.slice(-255)}`,
    dryRun: record.dryRun,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt ?? record.startedAt,
    replayId: record.actionId,
    interrupted: record.interrupted ?? false,
  };
}

/**
 * What a log line says of an action: who did what to which DLQ and, once it finished, the counts;
 * never message ids or the filter.
 */
export function actionLogFields(record: DlqActionRecord): Record<string, unknown> {
  const { actionId, action, dlqName, dryRun, actor } = record;
  if (record.status !== 'finished') return { actionId, action, dlqName, dryRun, actor };
  const { moved, skipped, failed, interrupted } = record;
  return { actionId, action, dlqName, moved, skipped, failed, interrupted, dryRun, actor };
}
