import { currentCorrelationId } from '../../src/correlation';
import { createScheduledHandler } from '../../src/scheduled-handler';
import { lambdaContext } from '../../src/testing';
import { captureLogs } from '../support/http-event';

/** What an EventBridge schedule sends. */
const scheduledEvent = {
  version: '0',
  id: 'c7f3a1de-8f4e-4a8b-9d0e-0123456789ab',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2025-01-02T03:04:05Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/switchyard-test-sweep'],
  detail: {},
};

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => logs.restore());

describe('createScheduledHandler', () => {
  it("runs the job with the event's id as correlation id and logs one line with its result", async () => {
    const seen: (string | undefined)[] = [];
    const handler = createScheduledHandler({
      name: 'sweep',
      run: async ({ correlationId, context }) => {
        seen.push(correlationId, currentCorrelationId(), String(context.getRemainingTimeInMillis()));
        return { queued: 3 };
      },
    });

    await expect(handler(scheduledEvent, lambdaContext())).resolves.toEqual({ queued: 3 });

    expect(seen).toEqual([scheduledEvent.id, scheduledEvent.id, '30000']);
    const lines = logs.entries().filter((e) => e.message === 'scheduled run');
    expect(lines).toEqual([
      expect.objectContaining({
        job: 'sweep',
        result: { queued: 3 },
        correlationId: scheduledEvent.id,
        function_name: 'switchyard-test-fn',
        latencyMs: expect.any(Number),
      }),
    ]);
  });

  it('logs a failed run with its stack and throws, so Lambda retries and alarms see it', async () => {
    const handler = createScheduledHandler({
      name: 'refresh',
      run: async () => {
        throw new RangeError('provider down');
      },
    });

    await expect(handler({}, lambdaContext())).rejects.toThrow('provider down');

    const error = logs.entries().find((e) => e.level === 'ERROR');
    expect(error).toMatchObject({ message: 'Unhandled error', correlationId: expect.any(String) });
    expect((error?.error as { stack?: string } | undefined)?.stack).toContain('RangeError');
    expect(logs.entries().some((e) => e.message === 'scheduled run')).toBe(false);
  });
});
