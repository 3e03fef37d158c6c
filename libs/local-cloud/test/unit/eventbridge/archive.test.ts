import { LocalEventBridge } from '../../../src/eventbridge/bus';
import { ManualClock } from '../../../src/eventbridge/schedule';
import type { Invoker } from '../../../src/types';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:svc-local-fn';

function setup() {
  const clock = new ManualClock(Date.parse('2024-03-01T10:00:30Z'));
  const calls: Record<string, unknown>[] = [];
  const invoker: Invoker = {
    invoke: async (target, event) => {
      calls.push({ target, ...(event as Record<string, unknown>) });
      return { ok: true, result: null };
    },
  };
  const bus = new LocalEventBridge({ invoker, clock, retryDelayMs: 1, log: () => {} });
  const busArn = bus.createEventBus('app');
  for (const name of ['a', 'b']) {
    bus.putRule({ Name: name, EventBusName: 'app', EventPattern: { 'detail-type': ['Created'] } });
    bus.putTargets(name, [{ Id: name, Arn: `${FN}-${name}` }], 'app');
  }
  const { ArchiveArn } = bus.archives.createArchive({
    ArchiveName: 'app-archive',
    EventSourceArn: busArn,
    busName: 'app',
    RetentionDays: 1,
  });
  return { bus, clock, calls, busArn, archiveArn: ArchiveArn };
}

const publish = (bus: LocalEventBridge, n: number, time: string) =>
  bus.publish([
    { Source: 's', DetailType: 'Created', Detail: JSON.stringify({ n }), EventBusName: 'app', Time: time },
  ]);

async function replayed(bus: LocalEventBridge, name: string) {
  for (let i = 0; i < 50 && bus.archives.describeReplay(name).State !== 'COMPLETED'; i++)
    await new Promise((resolve) => setImmediate(resolve));
  await bus.idle();
  return bus.archives.describeReplay(name);
}

describe('local bus archive and replay', () => {
  it('replays the window to the rules named, each event carrying replay-name, and archives no replayed event', async () => {
    const { bus, calls, busArn, archiveArn } = setup();
    publish(bus, 1, '2024-03-01T09:10:00Z');
    publish(bus, 2, '2024-03-01T09:50:00Z');
    publish(bus, 3, '2024-03-01T10:00:10Z');
    await bus.idle();
    expect(calls).toHaveLength(6);
    calls.length = 0;

    const ruleB = bus.describeRule('b', 'app').Arn;
    bus.archives.startReplay({
      ReplayName: 'r1',
      EventSourceArn: archiveArn,
      EventStartTime: new Date('2024-03-01T09:30:00Z'),
      EventEndTime: new Date('2024-03-01T10:00:20Z'),
      Destination: { Arn: busArn, FilterArns: [ruleB] },
    });
    const done = await replayed(bus, 'r1');
    expect(done.State).toBe('COMPLETED');
    expect(calls.map((c) => [c.target, (c.detail as { n: number }).n, c['replay-name']])).toEqual([
      [`${FN}-b`, 2, 'r1'],
      [`${FN}-b`, 3, 'r1'],
    ]);
    expect(bus.archives.describeArchive('app-archive').EventCount).toBe(3);
    expect(bus.archives.listReplays({ NamePrefix: 'r' }).map((r) => r.ReplayName)).toEqual(['r1']);
  });

  it('forgets events older than its retention and refuses a replay elsewhere or a second of the same name', async () => {
    const { bus, clock, busArn, archiveArn } = setup();
    publish(bus, 1, '2024-03-01T10:00:00Z');
    clock.advance(2 * 24 * 60 * 60 * 1000);
    publish(bus, 2, '2024-03-03T10:00:00Z');
    await bus.idle();
    expect(bus.archives.describeArchive('app-archive').EventCount).toBe(1);
    const input = {
      ReplayName: 'r2',
      EventSourceArn: archiveArn,
      EventStartTime: 0,
      EventEndTime: Date.now() / 1000 + 1e9,
      Destination: { Arn: busArn },
    };
    expect(() => bus.archives.startReplay({ ...input, Destination: { Arn: bus.busArn('default') } })).toThrow(
      /back to the bus/,
    );
    bus.archives.startReplay(input);
    expect(() => bus.archives.startReplay(input)).toThrow(/already exists/);
    expect((await replayed(bus, 'r2')).State).toBe('COMPLETED');
  });

  it('takes Time in epoch seconds as the SDK sends it, so a replay window finds the event', async () => {
    const { bus, calls, busArn, archiveArn } = setup();
    const sent = Date.parse('2024-03-01T09:59:00Z') / 1000;
    bus.publish([{ Source: 's', DetailType: 'Created', Detail: '{"n":7}', EventBusName: 'app', Time: sent }]);
    await bus.idle();
    expect(calls[0]!.time).toBe('2024-03-01T09:59:00Z');
    calls.length = 0;
    bus.archives.startReplay({
      ReplayName: 'r3',
      EventSourceArn: archiveArn,
      EventStartTime: sent - 60,
      EventEndTime: sent + 60,
      Destination: { Arn: busArn },
    });
    expect((await replayed(bus, 'r3')).EventLastReplayedTime).toBe(sent);
    expect(calls.map((c) => [(c.detail as { n: number }).n, c['replay-name']])).toEqual([
      [7, 'r3'],
      [7, 'r3'],
    ]);
  });
});
