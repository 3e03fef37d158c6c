/**
 * The bus replay use cases: the tool records a replay before StartReplay runs, finishes it with how
 * it ended (BusReplayed goes out with the record), and lists a bus's replays.
 */
import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '@switchyard/runtime';
import type { BusReplayStore } from '../adapters/bus-replay-store';
import { busReplayStore } from '../adapters/bus-replay-store';
import type { BusReplayRecord, FinishBusReplayInput, StartBusReplayInput } from '../domain/bus-replays';
import { finishBusReplayRecord, startBusReplayRecord } from '../domain/bus-replays';

export interface BusReplayDeps {
  store: BusReplayStore;
  now: () => Date;
  newReplayId: () => string;
}

export function busReplayDeps(): BusReplayDeps {
  return { store: busReplayStore(), now: () => new Date(), newReplayId: () => `busr_${randomUUID()}` };
}

export async function startBusReplay(
  deps: BusReplayDeps,
  actor: string,
  input: StartBusReplayInput,
): Promise<BusReplayRecord> {
  const record = startBusReplayRecord(input, actor, deps.newReplayId(), deps.now());
  await deps.store.start(record);
  return record;
}

/** 404 for an unknown replay; finishing twice is a 409, also when two finishes race. */
export async function finishBusReplay(
  deps: BusReplayDeps,
  replayId: string,
  input: FinishBusReplayInput,
): Promise<BusReplayRecord> {
  const record = await deps.store.get(replayId);
  if (!record) throw notFound('No such bus replay.');
  if (record.status === 'finished') throw conflict('This bus replay is already finished.');
  const finished = finishBusReplayRecord(record, input, deps.now());
  if (!(await deps.store.finish(finished))) throw conflict('This bus replay is already finished.');
  return finished;
}

export function listBusReplays(
  deps: BusReplayDeps,
  busName: string,
  limit: number,
): Promise<BusReplayRecord[]> {
  return deps.store.listByBus(busName, limit);
}
