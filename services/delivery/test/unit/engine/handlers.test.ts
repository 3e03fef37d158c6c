// The engine's handlers as glue: state in, decisions from the domain, effects out. Store, sender and
// queue are fakes here; the integration suite runs them for real.
import type { DeliveryRequested } from '@switchyard/contracts';
import type { EventReceived } from '@switchyard/contracts';
import type { AttemptRequest } from '../../../src/adapters/dispatch';
import type { AttemptContext } from '../../../src/adapters/delivery-store';
import type { EngineRuntime } from '../../../src/config';
import { endpointPolicy } from '../../../src/domain/address-safety';
import type { MessageState } from '../../../src/domain/engine';
import type { SendResult } from '../../../src/domain/outcome';
import type { Subscription } from '../../../src/domain/model';
import { AttemptInProgressError, deliver } from '../../../src/handlers/deliver';
import type { DeliverDeps } from '../../../src/handlers/deliver';
import { fanOut } from '../../../src/handlers/fan-out';
import { sweepDueRetries } from '../../../src/handlers/sweep-due-retries';

const t0 = new Date('2026-03-01T12:00:00.000Z');
const runtime: EngineRuntime = {
  settings: { schedule: [0, 5, 300], jitter: 0, maxQueueDelaySeconds: 900, disableAfterSeconds: 3600 },
  policy: endpointPolicy('local', ''),
  sendTimeoutMs: 15_000,
  defaultRateLimit: 100,
  retentionSeconds: 86_400,
  claimLeaseMs: 60_000,
  lane: 'default',
  slow: { slowLatencyMs: 5_000, slowLaneSeconds: 600 },
};

const subscription = (over: Partial<Subscription> = {}): Subscription => ({
  subscriptionId: 'sub_1',
  tenantId: 't1',
  url: 'http://127.0.0.1:9/hooks',
  eventTypes: ['order.*'],
  enabled: true,
  secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: t0.toISOString() }],
  createdAt: t0.toISOString(),
  updatedAt: t0.toISOString(),
  ...over,
});
const message = (over: Partial<MessageState> = {}): MessageState => ({
  tenantId: 't1',
  eventId: 'e1',
  subscriptionId: 'sub_1',
  webhookId: 'msg_1',
  eventType: 'order.created',
  status: 'pending',
  attempts: 0,
  scheduledAttempts: 0,
  createdAt: t0.toISOString(),
  updatedAt: t0.toISOString(),
  ...over,
});
const request = (over: Partial<DeliveryRequested> = {}): DeliveryRequested => ({
  version: 1,
  id: 'msg_1.a1',
  time: t0.toISOString(),
  tenantId: 't1',
  correlationId: 'c1',
  subscriptionId: 'sub_1',
  eventId: 'e1',
  attempt: 1,
  notBefore: t0.toISOString(),
  trigger: 'scheduled',
  ...over,
});

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
});

describe('fanOut', () => {
  const received = (over: Partial<EventReceived> = {}): EventReceived => ({
    version: 1,
    id: 'e1',
    time: t0.toISOString(),
    tenantId: 't1',
    correlationId: 'c1',
    eventId: 'e1',
    eventType: 'order.created',
    source: 'shop',
    receivedAt: t0.toISOString(),
    payload: { a: 1 },
    ...over,
  });

  it('stores the event and one message per matching subscription, and asks for their first attempts', async () => {
    const saved: unknown[] = [];
    const created: { subscriptionId: string; status: string }[] = [];
    const queued: AttemptRequest[] = [];
    await fanOut(received(), {
      store: {
        listSubscriptions: async () => [
          subscription(),
          subscription({ subscriptionId: 'sub_2', enabled: false }),
          subscription({ subscriptionId: 'sub_3', eventTypes: ['invoice.*'] }),
          subscription({ subscriptionId: 'sub_4', slowUntil: new Date(t0.getTime() + 1000).toISOString() }),
        ],
        saveEvent: async (e) => {
          saved.push(e);
        },
        createMessage: async (m) => {
          created.push(m);
          return 'created';
        },
      },
      requestAttempts: async (r) => {
        queued.push(...r);
      },
      resolvePayload: async (m) => m.payload!,
      runtime,
      now: () => t0,
      random: () => 0.5,
    });
    expect(saved).toEqual([expect.objectContaining({ eventId: 'e1', data: '{"a":1}', source: 'shop' })]);
    expect(created.map((m) => [m.subscriptionId, m.status])).toEqual([
      ['sub_1', 'pending'],
      ['sub_2', 'held'],
      ['sub_4', 'pending'],
    ]);
    expect(queued.map((r) => [r.subscriptionId, r.attempt, r.lane])).toEqual([
      ['sub_1', 1, 'default'],
      ['sub_4', 1, 'slow'],
    ]);
  });

  it('stores nothing for an event nobody subscribed to', async () => {
    const saveEvent = jest.fn();
    await fanOut(received({ eventType: 'nobody.cares' }), {
      store: { listSubscriptions: async () => [subscription()], saveEvent, createMessage: jest.fn() },
      requestAttempts: jest.fn(),
      resolvePayload: jest.fn(),
      runtime,
      now: () => t0,
      random: Math.random,
    });
    expect(saveEvent).not.toHaveBeenCalled();
  });
});

describe('sweepDueRetries', () => {
  it('queues what falls due within the lookahead with the rest of the wait, then releases it', async () => {
    const due = [
      {
        tenantId: 't1',
        eventId: 'e1',
        subscriptionId: 'sub_1',
        dueAt: new Date(t0.getTime() + 30_000).toISOString(),
        attempt: 4,
      },
    ];
    const shardsAsked: string[] = [];
    const queued: AttemptRequest[] = [];
    const releaseDue = jest.fn(async () => true);
    const summary = await sweepDueRetries({
      store: {
        dueMessages: async (shard, until) => {
          shardsAsked.push(shard);
          expect(until).toBe(new Date(t0.getTime() + 120_000).toISOString());
          return shard === 'DUE#3' && queued.length === 0 ? due : [];
        },
        releaseDue,
      },
      requestAttempts: async (r) => {
        queued.push(...r);
      },
      lookaheadSeconds: 120,
      now: () => t0,
      deadline: Date.now() + 10_000,
    });
    expect(new Set(shardsAsked).size).toBe(10);
    expect(queued).toEqual([expect.objectContaining({ trigger: 'scheduled', attempt: 4, delaySeconds: 30 })]);
    expect(releaseDue).toHaveBeenCalledWith(due[0]);
    expect(summary).toEqual({ queued: 1, released: 1 });
  });
});
