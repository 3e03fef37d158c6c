import { z } from 'zod';
import { identifier, timestamp } from '../fields';

// Not a message: the record of an operator's DLQ action (a replay or a purge) that the ops service
// keeps behind its operator routes and `switchyard dlq` writes and reads, defined once for both.
// DlqReplayed announces a finished replay with the same filter.

/** What an operator did to a DLQ. */
export const DLQ_ACTIONS = ['replay', 'purge'] as const;
export type DlqActionKind = (typeof DLQ_ACTIONS)[number];

/** A queue's name (SQS allows 80 characters). */
export const dlqQueueName = () => z.string().min(1).max(80);

/** The fields that select a DLQ's messages; none means all. */
export const dlqFilterFields = {
  source: z.string().min(1).max(255).optional(),
  detailType: z.string().min(1).max(255).optional(),
  tenantId: identifier().optional(),
  sentAfter: timestamp().optional(),
  sentBefore: timestamp().optional(),
  maxMessages: z.number().int().positive().optional(),
  messageIds: z
    .array(identifier())
    .max(100)
    .optional()
    .describe('Only these messages: SQS message ids or message header ids.'),
};

export type DlqFilter = z.infer<z.ZodObject<typeof dlqFilterFields>>;

/** One replay or purge of a DLQ: `started` before any message moves, `finished` with the counts. */
export interface DlqActionRecord {
  actionId: string;
  action: DlqActionKind;
  dlqName: string;
  /** Where a replay sent the messages; absent for a purge. */
  targetQueue?: string;
  filter: DlqFilter;
  dryRun: boolean;
  /** Who did it: the IAM principal ops verified, never a field the caller sends. */
  actor: string;
  status: 'started' | 'finished';
  startedAt: string;
  finishedAt?: string;
  moved?: number;
  skipped?: number;
  failed?: number;
  interrupted?: boolean;
  /** The ids (SQS message ids) of what was moved or purged, the first ones only when there were many. */
  messageIds?: string[];
  messageIdsTruncated?: boolean;
  /** Where a purge wrote its backup (a path on the operator's machine). */
  backupFile?: string;
}
