import { z } from 'zod';
import { identifier, timestamp } from '../fields';

/** How a bus replay ended: EventBridge's final replay states, or a dry run that started none. */
export const BUS_REPLAY_OUTCOMES = ['COMPLETED', 'FAILED', 'CANCELLED', 'DRY_RUN'] as const;
export type BusReplayOutcome = (typeof BUS_REPLAY_OUTCOMES)[number];

/** What a bus replay selects: a window of the archive, optionally only some rules. */
export const busReplayFields = {
  busName: z.string().min(1).max(256),
  archiveName: z.string().min(1).max(48),
  since: timestamp(),
  until: timestamp(),
  detailType: z.string().min(1).max(255).optional(),
  /** The rules (names) the replay was sent to; empty means every rule on the bus. */
  rules: z.array(z.string().min(1).max(64)).max(100),
};

/** One replay of the bus's archive: `started` before StartReplay, `finished` with its outcome. */
export interface BusReplayRecord {
  replayId: string;
  busName: string;
  archiveName: string;
  since: string;
  until: string;
  detailType?: string;
  rules: string[];
  dryRun: boolean;
  /** Who did it: the IAM principal ops verified, never a field the caller sends. */
  actor: string;
  status: 'started' | 'finished';
  startedAt: string;
  finishedAt?: string;
  /** The name given to EventBridge's replay (what replayed events carry as `replay-name`). */
  replayName?: string;
  outcome?: BusReplayOutcome;
  /** Events in the archive's window when the replay was planned, where the tool could count them. */
  eventsSelected?: number;
}

export const busReplayId = () => identifier();
