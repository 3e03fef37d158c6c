/**
 * The DLQ action use cases: an operator's tool records an action before any message moves, finishes
 * it with the counts, and lists a DLQ's actions. `dlqActionDeps()` builds what they run on from the
 * environment; tests pass their own.
 */
import { randomUUID } from 'node:crypto';
import { conflict, notFound } from '@switchyard/runtime';
import type { AuditStore } from '../adapters/audit-store';
import { auditStore } from '../adapters/audit-store';
import type { DlqActionRecord, FinishInput, StartInput } from '../domain/dlq-actions';
import { finishRecord, startRecord } from '../domain/dlq-actions';

export interface DlqActionDeps {
  store: AuditStore;
  now: () => Date;
  newActionId: () => string;
}

export function dlqActionDeps(): DlqActionDeps {
  return { store: auditStore(), now: () => new Date(), newActionId: () => `dlqa_${randomUUID()}` };
}

/** The record of an action about to start, written before any message moves; its `actionId` finishes it. */
export async function startDlqAction(
  deps: DlqActionDeps,
  actor: string,
  input: StartInput,
): Promise<DlqActionRecord> {
  const record = startRecord(input, actor, deps.newActionId(), deps.now());
  await deps.store.start(record);
  return record;
}

/**
 * How the action ended: the record and, for a replay, DlqReplayed (outbox) in one transaction.
 * 404 for an unknown action; finishing twice is a 409, also when two finishes race.
 */
export async function finishDlqAction(
  deps: DlqActionDeps,
  actionId: string,
  input: FinishInput,
): Promise<DlqActionRecord> {
  const record = await deps.store.get(actionId);
  if (!record) throw notFound('No such DLQ action.');
  if (record.status === 'finished') throw conflict('This DLQ action is already finished.');
  const finished = finishRecord(record, input, deps.now());
  if (!(await deps.store.finish(finished))) throw conflict('This DLQ action is already finished.');
  return finished;
}

/** One DLQ's actions, newest first. */
export function listDlqActions(
  deps: DlqActionDeps,
  dlqName: string,
  limit: number,
): Promise<DlqActionRecord[]> {
  return deps.store.listByDlq(dlqName, limit);
}
