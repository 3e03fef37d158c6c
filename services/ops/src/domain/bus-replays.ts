/**
 * The audit trail of bus replays (pure): like a DLQ action, recorded in two steps, `start` before
 * StartReplay runs and `finish` with how the replay ended; finishing announces it as BusReplayed.
 */
import { BUS_REPLAY_OUTCOMES, PLATFORM_TENANT_ID, busReplayFields } from '@switchyard/contracts';
import type { BusReplayRecord, BusReplayed } from '@switchyard/contracts';
import { z } from 'zod';

export type { BusReplayRecord } from '@switchyard/contracts';

export const startBusReplayBody = z
  .object({ ...busReplayFields, dryRun: z.boolean().default(false) })
  .strict()
  .refine((body) => Date.parse(body.since) < Date.parse(body.until), {
    path: ['until'],
    message: 'until must be after since',
  });
export type StartBusReplayInput = z.infer<typeof startBusReplayBody>;

export const finishBusReplayBody = z
  .object({
    outcome: z.enum(BUS_REPLAY_OUTCOMES),
    replayName: z.string().min(1).max(64).optional(),
    eventsSelected: z.number().int().nonnegative().optional(),
  })
  .strict();
export type FinishBusReplayInput = z.infer<typeof finishBusReplayBody>;

export function startBusReplayRecord(
  input: StartBusReplayInput,
  actor: string,
  replayId: string,
  now: Date,
): BusReplayRecord {
  return {
    replayId,
    busName: input.busName,
    archiveName: input.archiveName,
    since: input.since,
    until: input.until,
    ...(input.detailType ? { detailType: input.detailType } : {}),
    rules: input.rules,
    dryRun: input.dryRun,
    actor,
    status: 'started',
    startedAt: now.toISOString(),
  };
}

export function finishBusReplayRecord(
  record: BusReplayRecord,
  input: FinishBusReplayInput,
  now: Date,
): BusReplayRecord {
  return {
    ...record,
    status: 'finished',
    finishedAt: now.toISOString(),
    outcome: record.dryRun ? 'DRY_RUN' : input.outcome,
    ...(input.replayName ? { replayName: input.replayName } : {}),
    ...(input.eventsSelected === undefined ? {} : { eventsSelected: input.eventsSelected }),
  };
}

/** BusReplayed's body (and tenant) for a finished replay. */
export function busReplayedEvent(
  record: BusReplayRecord,
): Omit<BusReplayed, 'version' | 'id' | 'time' | 'correlationId'> & { tenantId: string } {
  return {
    tenantId: PLATFORM_TENANT_ID,
    busName: record.busName,
    archiveName: record.archiveName,
    since: record.since,
    until: record.until,
    ...(record.detailType ? { detailType: record.detailType } : {}),
    rules: record.rules,
    ...(record.replayName ? { replayName: record.replayName } : {}),
    outcome: record.outcome ?? 'FAILED',
    ...(record.eventsSelected === undefined ? {} : { eventsSelected: record.eventsSelected }),
    actor: record.actor.length <= 256 ? record.actor : `…${record.actor.slice(-255)}`,
    dryRun: record.dryRun,
    replayId: record.replayId,
    startedAt: record.startedAt,
    finishedAt: record.finishedAt ?? record.startedAt,
  };
}

/** What a log line says of a bus replay: who replayed which window, and how it ended. */
export function busReplayLogFields(record: BusReplayRecord): Record<string, unknown> {
  const { replayId, busName, since, until, dryRun, actor, outcome, replayName } = record;
  return { replayId, busName, since, until, dryRun, actor, rules: record.rules.length, outcome, replayName };
}
