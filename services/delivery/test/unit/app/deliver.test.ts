// deliver, the use case: state in, decisions from the domain, effects out. Store, sender and queue
// are fakes here; the integration suite runs them for real.
import type { AttemptRequest } from '../../../src/adapters/dispatch';
import type { AttemptContext } from '../../../src/adapters/delivery-store';
import { AttemptInProgressError, deliver } from '../../../src/app/deliver';
import type { DeliverDeps } from '../../../src/app/deliver';
import type { SendResult } from '../../../src/domain/outcome';
import { deliveryRequested as request, message, subscription, t0, testRuntime as runtime } from '../fixtures';

function harness(context: AttemptContext, result: SendResult = { statusCode: 200, latencyMs: 12 }) {
  const queued: AttemptRequest[] = [];
  const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
  const store = {
    loadForAttempt: jest.fn(async () => context),
    claim: jest.fn(async () => context.message),
    recordAttempt: jest.fn(async (): Promise<'recorded' | 'lost'> => 'recorded'),
    setInactive: jest.fn(async () => true),
    applyHealth: jest.fn(async () => true),
    countInRateWindow: jest.fn(async () => 1),
    markSlow: jest.fn(async () => true),
    release: jest.fn(async () => undefined),
    createMessage: jest.fn(async (): Promise<'created' | 'exists'> => 'created'),
    recordFirstAttempt: jest.fn(async (): Promise<'recorded' | 'lost'> => 'recorded'),
  };
  const deps: DeliverDeps = {
    store,
    send: async (url, headers, body) => {
      sent.push({ url, headers, body });
      return result;
    },
    requestAttempts: async (requests) => {
      queued.push(...requests);
    },
    runtime,
    now: () => t0,
    random: () => 0.5,
  };
  return { deps, store, queued, sent };
}

const event = {
  tenantId: 't1',
  eventId: 'e1',
  eventType: 'order.created',
  receivedAt: t0.toISOString(),
  data: '{"a":1}',
};

describe('deliver', () => {
  it('claims, sends the signed body, records the attempt and updates health', async () => {
    const h = harness({
      event,
      message: message(),
      subscription: subscription({ failingSince: t0.toISOString() }),
    });
    await deliver(request(), h.deps);
    expect(h.store.claim).toHaveBeenCalledWith(
      expect.objectContaining({ webhookId: 'msg_1' }),
      'msg_1.a1',
      { scheduledAttemptsMade: 0 },
      t0,
      new Date(t0.getTime() + 60_000),
    );
    expect(h.sent).toEqual([
      {
        url: 'http://127.0.0.1:9/hooks',
        headers: expect.objectContaining({ 'webhook-id': 'msg_1', 'content-type': 'application/json' }),
        body: `{"type":"order.created","timestamp":"${t0.toISOString()}","data":{"a":1}}`,
      },
    ]);
    const [, record, requestId] = h.store.recordAttempt.mock.calls[0] as unknown as [
      unknown,
      { message: { status: string } },
      string,
    ];
    expect(record.message.status).toBe('delivered');
    expect(requestId).toBe('msg_1.a1');
    expect(h.store.applyHealth).toHaveBeenCalledWith(expect.anything(), { kind: 'recovered' });
    expect(h.queued).toEqual([]);
  });

  it('queues the next scheduled attempt after a failure', async () => {
    const h = harness(
      { event, message: message(), subscription: subscription() },
      { statusCode: 500, latencyMs: 3 },
    );
    await deliver(request(), h.deps);
    expect(h.queued).toEqual([
      expect.objectContaining({
        trigger: 'scheduled',
        attempt: 2,
        delaySeconds: 5,
        lane: 'default',
        correlationId: 'c1',
      }),
    ]);
  });

  it('sends nothing for a stale request, and cancels or holds as the state says', async () => {
    const stale = harness({
      event,
      message: message({ status: 'delivered', attempts: 1, scheduledAttempts: 1 }),
      subscription: subscription(),
    });
    await deliver(request(), stale.deps);
    expect(stale.sent).toEqual([]);
    expect(stale.store.claim).not.toHaveBeenCalled();

    const gone = harness({ event, message: message() });
    await deliver(request(), gone.deps);
    expect(gone.store.setInactive).toHaveBeenCalledWith(expect.anything(), 'cancelled', t0);

    const disabled = harness({ event, message: message(), subscription: subscription({ enabled: false }) });
    await deliver(request(), disabled.deps);
    expect(disabled.store.setInactive).toHaveBeenCalledWith(expect.anything(), 'held', t0);
    expect(disabled.sent).toEqual([]);
  });

  it('waits for the rate window instead of sending, without counting an attempt', async () => {
    const h = harness({ event, message: message(), subscription: subscription({ rateLimitPerSecond: 2 }) });
    h.store.countInRateWindow.mockResolvedValue(5);
    await deliver(request(), h.deps);
    expect(h.sent).toEqual([]);
    expect(h.store.claim).not.toHaveBeenCalled();
    expect(h.queued).toEqual([expect.objectContaining({ attempt: 1, delaySeconds: 2 })]);
  });

  it('fails the record when another copy of the request holds the message, so SQS retries it', async () => {
    const h = harness({ event, message: message(), subscription: subscription() });
    h.store.claim.mockResolvedValue(undefined);
    await expect(deliver(request(), h.deps)).rejects.toThrow(AttemptInProgressError);
    expect(h.sent).toEqual([]);
  });

  it("comes back when the holder's lease ends, when the claim says how long it has left", async () => {
    const h = harness({
      event,
      message: message(),
      subscription: subscription(),
      claimedUntil: t0.getTime() + 42_500,
    });
    h.store.claim.mockResolvedValue(undefined);
    await deliver(request(), h.deps);
    expect(h.sent).toEqual([]);
    expect(h.queued).toEqual([expect.objectContaining({ attempt: 1, delaySeconds: 44, lane: 'default' })]);
  });

  it('moves a request for a slow endpoint to the slow lane, and marks an endpoint that answers slowly', async () => {
    const slowUntil = new Date(t0.getTime() + 60_000).toISOString();
    const moved = harness({ event, message: message(), subscription: subscription({ slowUntil }) });
    await deliver(request(), moved.deps);
    expect(moved.sent).toEqual([]);
    expect(moved.queued).toEqual([expect.objectContaining({ lane: 'slow', attempt: 1, delaySeconds: 0 })]);

    const slow = harness(
      { event, message: message(), subscription: subscription() },
      { latencyMs: 15_000, error: 'timeout', timedOut: true },
    );
    await deliver(request(), slow.deps);
    expect(slow.store.markSlow).toHaveBeenCalledWith(
      expect.anything(),
      new Date(t0.getTime() + 600_000).toISOString(),
      expect.any(String),
    );
    expect(slow.queued).toEqual([expect.objectContaining({ lane: 'slow', attempt: 2 })]);
  });

  it('queues nothing further when the claim was lost before the attempt was recorded', async () => {
    const h = harness(
      { event, message: message(), subscription: subscription() },
      { statusCode: 500, latencyMs: 3 },
    );
    h.store.recordAttempt.mockResolvedValue('lost');
    await deliver(request(), h.deps);
    expect(h.queued).toEqual([]);
    expect(h.store.applyHealth).not.toHaveBeenCalled();
  });

  describe('a first attempt fan-out hands over (the message created claimed)', () => {
    const fresh = () => ({ event, message: message(), subscription: subscription(), written: true });

    it('sends and records it without reading the message back or claiming it again', async () => {
      const h = harness({});
      await deliver(request(), h.deps, fresh());
      expect(h.store.loadForAttempt).not.toHaveBeenCalled();
      expect(h.store.claim).not.toHaveBeenCalled();
      expect(h.sent).toHaveLength(1);
      expect(h.store.recordAttempt).toHaveBeenCalledWith(
        expect.objectContaining({ webhookId: 'msg_1' }),
        expect.anything(),
        'msg_1.a1',
        expect.any(Number),
      );
      expect(h.store.release).not.toHaveBeenCalled();
    });

    it('gives the claim back when it does not send: over the rate limit, or moved to the slow lane', async () => {
      const limited = harness({});
      limited.store.countInRateWindow.mockResolvedValue(500);
      await deliver(request(), limited.deps, fresh());
      expect(limited.sent).toEqual([]);
      expect(limited.store.release).toHaveBeenCalledWith(
        expect.objectContaining({ webhookId: 'msg_1' }),
        'msg_1.a1',
      );
      expect(limited.queued).toEqual([expect.objectContaining({ attempt: 1 })]);

      const slowUntil = new Date(t0.getTime() + 60_000).toISOString();
      const moved = harness({});
      await deliver(request(), moved.deps, { ...fresh(), subscription: subscription({ slowUntil }) });
      expect(moved.sent).toEqual([]);
      expect(moved.store.release).toHaveBeenCalledTimes(1);
      expect(moved.queued).toEqual([expect.objectContaining({ lane: 'slow', attempt: 1 })]);
    });
  });

  describe('a first attempt fan-out hands over for an event it saw first (the message not written yet)', () => {
    const fresh = () => ({ event, message: message(), subscription: subscription(), written: false });

    it('writes the message once, with the record of its attempt, after the send', async () => {
      const h = harness({}, { statusCode: 500, latencyMs: 3 });
      await deliver(request(), h.deps, fresh());
      expect(h.store.loadForAttempt).not.toHaveBeenCalled();
      expect(h.store.claim).not.toHaveBeenCalled();
      expect(h.store.createMessage).not.toHaveBeenCalled();
      expect(h.store.recordAttempt).not.toHaveBeenCalled();
      expect(h.sent).toHaveLength(1);
      expect(h.store.recordFirstAttempt).toHaveBeenCalledWith(
        expect.objectContaining({ webhookId: 'msg_1', status: 'pending', attempts: 0 }),
        expect.objectContaining({
          attempt: expect.objectContaining({ attempt: 1, statusCode: 500 }),
          message: expect.objectContaining({ status: 'failed', attempts: 1 }),
        }),
        'msg_1.a1',
        expect.any(Number),
      );
      // The failure's retry is queued as for any attempt.
      expect(h.queued).toEqual([expect.objectContaining({ attempt: 2 })]);
    });

    it('writes the message unclaimed when it does not send, so the queued request finds it', async () => {
      const limited = harness({});
      limited.store.countInRateWindow.mockResolvedValue(500);
      await deliver(request(), limited.deps, fresh());
      expect(limited.sent).toEqual([]);
      expect(limited.store.createMessage).toHaveBeenCalledWith(
        expect.objectContaining({ webhookId: 'msg_1', status: 'pending' }),
        expect.any(Number),
      );
      expect(limited.store.release).not.toHaveBeenCalled();
      expect(limited.queued).toEqual([expect.objectContaining({ attempt: 1 })]);
    });

    it('queues nothing further when a redelivered event created the message meanwhile', async () => {
      const h = harness({}, { statusCode: 500, latencyMs: 3 });
      h.store.recordFirstAttempt.mockResolvedValue('lost');
      await deliver(request(), h.deps, fresh());
      expect(h.sent).toHaveLength(1);
      expect(h.queued).toEqual([]);
      expect(h.store.applyHealth).not.toHaveBeenCalled();
    });
  });
});
