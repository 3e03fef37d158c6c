import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';
import { dlqFilterFields, dlqQueueName } from './dlq-action';

export const DlqReplayed = defineContract({
  service: 'ops',
  detailType: 'DlqReplayed',
  version: 1,
  description:
    'An operator replayed (or dry-ran a replay of) messages from a dead-letter queue: the audit ' +
    'record. Header `tenantId` is the tenant filtered on, or `_platform` when the replay spans tenants.',
  body: {
    dlqName: dlqQueueName(),
    targetQueue: dlqQueueName(),
    filter: z.object(dlqFilterFields).describe('Which messages were selected; empty means all.'),
    moved: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    actor: z.string().min(1).max(256).describe('Who ran it: IAM principal or user name.'),
    dryRun: z.boolean(),
    replayId: identifier().optional().describe('The audit record in ops-<stage>-audit.'),
    interrupted: z
      .boolean()
      .optional()
      .describe('The operator stopped it (Ctrl-C) before every selected message was moved.'),
    startedAt: timestamp(),
    finishedAt: timestamp(),
  },
});
export type DlqReplayed = MessageOf<typeof DlqReplayed>;
