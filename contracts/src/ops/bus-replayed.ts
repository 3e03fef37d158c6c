import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';
import { BUS_REPLAY_OUTCOMES, busReplayFields } from './bus-replay';

export const BusReplayed = defineContract({
  service: 'ops',
  detailType: 'BusReplayed',
  version: 1,
  description:
    "An operator replayed (or dry-ran a replay of) a window of the bus's archive: the audit record. " +
    'Header `tenantId` is `_platform` (a replay spans tenants).',
  body: {
    ...busReplayFields,
    replayName: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe('EventBridge replay name; absent for a dry run.'),
    outcome: z.enum(BUS_REPLAY_OUTCOMES),
    eventsSelected: z.number().int().nonnegative().optional(),
    actor: z.string().min(1).max(256).describe('Who ran it: IAM principal or user name.'),
    dryRun: z.boolean(),
    replayId: identifier().describe('The audit record in ops-<stage>-audit.'),
    startedAt: timestamp(),
    finishedAt: timestamp(),
  },
});
export type BusReplayed = MessageOf<typeof BusReplayed>;
