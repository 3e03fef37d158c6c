import type { HttpError } from '@switchyard/runtime';
import type { AuditStore } from '../../src/adapters/audit-store';
import type { DlqActionDeps } from '../../src/app/dlq-actions';
import { finishDlqAction, startDlqAction } from '../../src/app/dlq-actions';
import type { DlqActionRecord } from '../../src/domain/dlq-actions';
import { actionLogFields, finishBody, startBody } from '../../src/domain/dlq-actions';

const actor = 'arn:aws:sts::123456789012:assumed-role/oncall/ada';

/** The audit table in memory, with its one condition: only a started action can be finished. */
function memoryStore(): AuditStore & { records: Map<string, DlqActionRecord>; racedBy?: () => void } {
  const records = new Map<string, DlqActionRecord>();
  const store = {
    records,
    racedBy: undefined as (() => void) | undefined,
    get: async (id: string) => records.get(id),
    start: async (record: DlqActionRecord) => void records.set(record.actionId, record),
    finish: async (record: DlqActionRecord) => {
      store.racedBy?.();
      if (records.get(record.actionId)?.status !== 'started') return false;
      records.set(record.actionId, record);
      return true;
    },
    listByDlq: async (dlqName: string) => [...records.values()].filter((r) => r.dlqName === dlqName),
  };
  return store;
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: HttpError) => ({ status: error.status, message: error.message }),
  );

describe('DLQ action use cases', () => {
  const deps = (store: AuditStore): DlqActionDeps => ({
    store,
    now: () => new Date('2025-03-14T11:00:00.000Z'),
    newActionId: () => 'dlqa_1',
  });
  const replay = startBody.parse({ action: 'replay', dlqName: 'q-dlq', targetQueue: 'q' });
  const counts = finishBody.parse({ moved: 3, skipped: 1, failed: 0 });

  it('records the start, then the finish; an unknown action is a 404 and a second finish a 409', async () => {
    const store = memoryStore();
    const started = await startDlqAction(deps(store), actor, replay);
    expect(store.records.get('dlqa_1')).toEqual(started);
    expect(actionLogFields(started)).toEqual({
      actionId: 'dlqa_1',
      action: 'replay',
      dlqName: 'q-dlq',
      dryRun: false,
      actor,
    });

    const finished = await finishDlqAction(deps(store), 'dlqa_1', counts);
    expect(finished).toMatchObject({ status: 'finished', moved: 3, skipped: 1, failed: 0 });
    expect(actionLogFields(finished)).toMatchObject({ moved: 3, skipped: 1, failed: 0, interrupted: false });

    expect(await errorOf(finishDlqAction(deps(store), 'dlqa_1', counts))).toEqual({
      status: 409,
      message: 'This DLQ action is already finished.',
    });
    expect(await errorOf(finishDlqAction(deps(store), 'dlqa_nope', counts))).toMatchObject({ status: 404 });
  });

  it('a finish that loses the race to another finish is a 409 too', async () => {
    const store = memoryStore();
    const started = await startDlqAction(deps(store), actor, replay);
    store.racedBy = () => store.records.set('dlqa_1', { ...started, status: 'finished' });
    expect(await errorOf(finishDlqAction(deps(store), 'dlqa_1', counts))).toMatchObject({ status: 409 });
  });
});
