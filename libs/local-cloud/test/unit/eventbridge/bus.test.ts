import { EventBridgeError, LocalEventBridge } from '../../../src/eventbridge/bus';
import type { DeliveryRecord } from '../../../src/eventbridge/bus';
import { ManualClock } from '../../../src/eventbridge/schedule';
import type { Invoker } from '../../../src/types';

const FN = 'arn:aws:lambda:us-east-1:000000000000:function:svc-local-fn';

function setup(fail = false) {
  const clock = new ManualClock(Date.parse('2024-03-01T10:00:30Z'));
  const calls: unknown[] = [];
  const invoker: Invoker = {
    invoke: async (_target, event) => {
      calls.push(event);
      return fail
        ? { ok: false, error: { errorType: 'Error', errorMessage: 'nope' } }
        : { ok: true, result: null };
    },
  };
  const bus = new LocalEventBridge({ invoker, clock, retryDelayMs: 1, log: () => {} });
  const records: DeliveryRecord[] = [];
  bus.onDelivered((record) => records.push(record));
  return { bus, clock, calls, records };
}

describe('LocalEventBridge', () => {
  it('delivers matching events to function targets with the envelope', async () => {
    const { bus, calls } = setup();
    bus.createEventBus('app');
    bus.putRule({
      Name: 'created',
      EventBusName: 'app',
      EventPattern: { 'detail-type': ['Created'], detail: { n: [{ numeric: ['>', 1] }] } },
    });
    bus.putTargets('created', [{ Id: 'fn', Arn: FN, InputPath: '$.detail' }], 'app');
    const result = bus.publish([
      { Source: 's', DetailType: 'Created', Detail: '{"n":2}', EventBusName: 'app' },
      { Source: 's', DetailType: 'Created', Detail: '{"n":1}', EventBusName: 'app' },
      { Source: 's', DetailType: 'Created', Detail: '{"n":5}' }, // default bus: no rule there
    ]);
    expect(result.FailedEntryCount).toBe(0);
    await bus.idle();
    expect(calls).toEqual([{ n: 2 }]);
  });

  it('rejects invalid patterns and schedules at PutRule', () => {
    const { bus } = setup();
    expect(() => bus.putRule({ Name: 'bad', EventPattern: '{"source":"x"}' })).toThrow(
      expect.objectContaining({ code: 'InvalidEventPatternException' }),
    );
    expect(() => bus.putRule({ Name: 'bad', ScheduleExpression: 'cron(0 0 * * * *)' })).toThrow(
      EventBridgeError,
    );
    expect(() => bus.putRule({ Name: 'none' })).toThrow(/EventPattern or ScheduleExpression/);
    bus.createEventBus('app');
    expect(() =>
      bus.putRule({ Name: 's', EventBusName: 'app', ScheduleExpression: 'rate(1 minute)' }),
    ).toThrow(/default event bus/);
    expect(() => bus.describeRule('missing')).toThrow(
      expect.objectContaining({ code: 'ResourceNotFoundException' }),
    );
  });

  it('retries a failing function per the retry policy', async () => {
    const { bus, calls, records } = setup(true);
    bus.putRule({ Name: 'r', EventPattern: { source: ['s'] } });
    bus.putTargets('r', [{ Id: 'fn', Arn: FN, RetryPolicy: { MaximumRetryAttempts: 3 } }]);
    bus.publish([{ Source: 's', DetailType: 'T', Detail: '{}' }]);
    await bus.idle();
    expect(calls).toHaveLength(4);
    expect(records[0]).toMatchObject({ ok: false, attempts: 4, error: 'Error: nope' });
  });

  it('fires schedule rules by the injected clock, and on demand', async () => {
    const { bus, clock, calls } = setup();
    bus.putRule({ Name: 'every-minute', ScheduleExpression: 'cron(* * * * ? *)' });
    bus.putTargets('every-minute', [{ Id: 'fn', Arn: FN }]);
    bus.putRule({ Name: 'every-5', ScheduleExpression: 'rate(5 minutes)' });
    bus.putTargets('every-5', [{ Id: 'fn', Arn: FN, Input: '{"tick":true}' }]);
    bus.start();
    expect(new Date(bus.nextFireAt('every-minute') ?? 0).toISOString()).toBe('2024-03-01T10:01:00.000Z');
    clock.advance(5 * 60_000);
    await bus.idle();
    const scheduled = calls.filter((c) => (c as { source?: string }).source === 'aws.events');
    expect(scheduled).toHaveLength(5);
    expect(scheduled[0]).toMatchObject({
      'detail-type': 'Scheduled Event',
      detail: {},
      time: '2024-03-01T10:01:00Z',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/every-minute'],
    });
    expect(calls.filter((c) => (c as { tick?: boolean }).tick)).toHaveLength(1);
    await bus.triggerRule('every-5');
    expect(calls.filter((c) => (c as { tick?: boolean }).tick)).toHaveLength(2);
    bus.setRuleState('every-minute', 'default', false);
    const before = calls.length;
    clock.advance(60_000);
    await bus.stop();
    expect(calls.length).toBe(before); // every-5 is not due yet and every-minute is disabled
  });

  it('validates targets', () => {
    const { bus } = setup();
    bus.putRule({ Name: 'r', EventPattern: { source: ['s'] } });
    const result = bus.putTargets('r', [
      { Id: 'ok', Arn: FN },
      { Id: 'two-inputs', Arn: FN, Input: '{}', InputPath: '$' },
      { Id: 'no-arn', Arn: 'queue' },
    ]);
    expect(result.FailedEntries.map((f) => f.TargetId)).toEqual(['two-inputs', 'no-arn']);
    expect(bus.listTargets('r').map((t) => t.Id)).toEqual(['ok']);
    expect(() => bus.deleteRule('r')).toThrow(/has targets/);
    bus.removeTargets('r', ['ok']);
    bus.deleteRule('r');
    expect(bus.listRules()).toEqual([]);
  });
});
