import { BusReplayed } from '@switchyard/contracts';
import type { HttpError } from '@switchyard/runtime';
import type { BusReplayStore } from '../../src/adapters/bus-replay-store';
import type { BusReplayDeps } from '../../src/app/bus-replays';
import { finishBusReplay, startBusReplay } from '../../src/app/bus-replays';
import type { BusReplayRecord } from '../../src/domain/bus-replays';
import { busReplayedEvent, finishBusReplayBody, startBusReplayBody } from '../../src/domain/bus-replays';

const actor = 'arn:aws:sts::123456789012:assumed-role/oncall/ada';

/** The audit table in memory, with its one condition: only a started replay can be finished. */
function memoryStore(): BusReplayStore & { records: Map<string, BusReplayRecord> } {
  const records = new Map<string, BusReplayRecord>();
  return {
    records,
    get: async (id) => records.get(id),
    start: async (record) => void records.set(record.replayId, record),
    finish: async (record) => {
      if (records.get(record.replayId)?.status !== 'started') return false;
      records.set(record.replayId, record);
      return true;
    },
    listByBus: async (busName) => [...records.values()].filter((r) => r.busName === busName),
  };
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: HttpError) => ({ status: error.status, message: error.message }),
  );

const window = {
  busName: 'switchyard-prod-bus',
  archiveName: 'switchyard-prod-bus',
  since: '2025-03-14T09:00:00.000Z',
  until: '2025-03-14T11:00:00.000Z',
  detailType: 'EventReceived',
  rules: ['delivery-prod-event-received'],
};

describe('bus replay audit', () => {
  const deps = (store: BusReplayStore): BusReplayDeps => ({
    store,
    now: () => new Date('2025-03-14T12:00:00.000Z'),
    newReplayId: () => 'busr_1',
  });

  it('refuses a backwards window, unknown fields and an unknown outcome', () => {
    expect(startBusReplayBody.safeParse({ ...window, until: window.since }).success).toBe(false);
    expect(startBusReplayBody.safeParse({ ...window, actor: 'me' }).success).toBe(false);
    expect(finishBusReplayBody.safeParse({ outcome: 'DONE' }).success).toBe(false);
    expect(startBusReplayBody.parse(window).dryRun).toBe(false);
  });

  it('records the start, then the finish with the replay name; unknown is 404, twice is 409', async () => {
    const store = memoryStore();
    const started = await startBusReplay(deps(store), actor, startBusReplayBody.parse(window));
    expect(started).toMatchObject({ replayId: 'busr_1', status: 'started', actor, dryRun: false });
    const finished = await finishBusReplay(
      deps(store),
      'busr_1',
      finishBusReplayBody.parse({ outcome: 'COMPLETED', replayName: 'switchyard-x' }),
    );
    expect(store.records.get('busr_1')).toEqual(finished);
    expect(finished).toMatchObject({ status: 'finished', outcome: 'COMPLETED', replayName: 'switchyard-x' });
    expect(await errorOf(finishBusReplay(deps(store), 'busr_1', { outcome: 'COMPLETED' }))).toEqual({
      status: 409,
      message: 'This bus replay is already finished.',
    });
    expect(await errorOf(finishBusReplay(deps(store), 'busr_2', { outcome: 'COMPLETED' }))).toMatchObject({
      status: 404,
    });

    // What goes out on the bus is a valid BusReplayed for the platform, not a tenant.
    const event = busReplayedEvent(finished);
    expect(event.tenantId).toBe('_platform');
    expect(BusReplayed.body.safeParse(event).success).toBe(true);
  });

  it('a dry run finishes as DRY_RUN whatever the tool says', async () => {
    const store = memoryStore();
    await startBusReplay(deps(store), actor, startBusReplayBody.parse({ ...window, dryRun: true }));
    const finished = await finishBusReplay(deps(store), 'busr_1', { outcome: 'COMPLETED' });
    expect(finished.outcome).toBe('DRY_RUN');
  });
});
