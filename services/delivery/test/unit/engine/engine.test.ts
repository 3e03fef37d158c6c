import type { EngineSettings, MessageState, RequestView } from '../../../src/domain/engine';
import { preflight, recordOutcome } from '../../../src/domain/engine';
import { healthAfter } from '../../../src/domain/health';
import type { Subscription } from '../../../src/domain/model';
import { message, t0 } from '../fixtures';

const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const settings: EngineSettings = {
  schedule: [0, 5, 300, 1800],
  jitter: 0,
  maxQueueDelaySeconds: 900,
  disableAfterSeconds: 3600,
};

const subscription = (over: Partial<Subscription> = {}): Pick<Subscription, 'enabled' | 'failingSince'> => ({
  enabled: true,
  ...over,
});
const scheduled = (attempt: number, notBefore = t0): RequestView => ({
  id: `msg_1.a${attempt}`,
  attempt,
  trigger: 'scheduled',
  notBefore: notBefore.toISOString(),
});
const manual = (id = 'resend-1'): RequestView => ({
  id,
  attempt: 1,
  trigger: 'resend',
  notBefore: t0.toISOString(),
});

describe('preflight: what a DeliveryRequested leads to', () => {
  const plan = (request: RequestView, m: MessageState | undefined, s = subscription(), now = t0) =>
    preflight({ request, message: m, subscription: s, now, settings });

  it('sends the next scheduled attempt of an active message', () => {
    expect(plan(scheduled(1), message())).toEqual({ action: 'send', number: 1 });
    expect(plan(scheduled(3), message({ status: 'failed', attempts: 3, scheduledAttempts: 2 }))).toEqual({
      action: 'send',
      number: 4,
    });
  });

  it('drops duplicates, stale requests and messages no longer active', () => {
    expect(plan(scheduled(1), undefined)).toEqual({ action: 'drop', reason: 'no such message' });
    expect(
      plan(scheduled(1), message({ status: 'delivered', attempts: 1, scheduledAttempts: 1 })).action,
    ).toBe('drop');
    expect(plan(scheduled(1), message({ status: 'failed', attempts: 2, scheduledAttempts: 2 })).action).toBe(
      'drop',
    );
    expect(plan(scheduled(4), message({ status: 'failed', attempts: 1, scheduledAttempts: 1 })).action).toBe(
      'drop',
    );
    expect(
      plan(scheduled(2), message({ status: 'exhausted', attempts: 4, scheduledAttempts: 4 })).action,
    ).toBe('drop');
    expect(plan(scheduled(1), message({ status: 'cancelled' })).action).toBe('drop');
  });

  it('queues a retry again when its attempt was recorded but the retry may not have been queued', () => {
    const failed = message({
      status: 'failed',
      attempts: 1,
      scheduledAttempts: 1,
      nextAttemptAt: at(5).toISOString(),
    });
    expect(plan(scheduled(1), failed, subscription(), at(2))).toEqual({
      action: 'reschedule',
      next: { attempt: 2, delaySeconds: 3 },
    });
    // A long wait is the sweeper's (due index), not the queue's.
    expect(plan(scheduled(1), { ...failed, dueAt: at(5).toISOString() }).action).toBe('drop');
  });

  it('cancels when the subscription is gone and holds when the endpoint is disabled', () => {
    const gone = (m: MessageState) =>
      preflight({ request: scheduled(1), message: m, subscription: undefined, now: t0, settings });
    expect(gone(message())).toEqual({ action: 'cancel' });
    expect(gone(message({ status: 'held' })).action).toBe('drop');
    expect(plan(scheduled(1), message(), subscription({ enabled: false }))).toEqual({ action: 'hold' });
  });

  it('puts back a request released before its time', () => {
    expect(plan(scheduled(1, at(600)), message())).toEqual({ action: 'defer', delaySeconds: 600 });
    expect(plan(scheduled(1, at(5000)), message())).toEqual({ action: 'defer', delaySeconds: 900 });
    expect(plan(scheduled(1, at(1)), message()).action).toBe('send');
  });

  it('sends a manual attempt for any live message once, and never to a disabled endpoint', () => {
    for (const status of ['pending', 'failed', 'exhausted', 'held', 'delivered'] as const) {
      expect(plan(manual(), message({ status, attempts: 4, scheduledAttempts: 4 }))).toEqual({
        action: 'send',
        number: 5,
      });
    }
    expect(plan(manual('r-1'), message({ lastRequestId: 'r-1' })).action).toBe('drop');
    expect(plan(manual(), message(), subscription({ enabled: false }))).toEqual({
      action: 'drop',
      reason: 'endpoint disabled',
    });
  });
});

describe('recordOutcome: what one attempt writes and schedules', () => {
  const record = (
    request: RequestView,
    m: MessageState,
    result: Parameters<typeof recordOutcome>[0]['result'],
    over: {
      subscription?: Pick<Subscription, 'enabled' | 'failingSince'>;
      settings?: Partial<EngineSettings>;
      now?: Date;
    } = {},
  ) =>
    recordOutcome({
      request,
      message: m,
      subscription: over.subscription ?? subscription(),
      result,
      startedAt: t0,
      now: over.now ?? at(1),
      settings: { ...settings, ...over.settings },
      random: () => 0.5,
    });

  it('delivers on a 2xx and records the attempt', () => {
    const r = record(scheduled(1), message(), { statusCode: 200, latencyMs: 42.4, responseBody: 'ok' });
    expect(r.attempt).toEqual({
      tenantId: 't1',
      eventId: 'e1',
      subscriptionId: 'sub_1',
      webhookId: 'msg_1',
      attempt: 1,
      attemptedAt: t0.toISOString(),
      trigger: 'scheduled',
      statusCode: 200,
      latencyMs: 42,
      responseBody: 'ok',
      outcome: 'delivered',
    });
    expect(r.message).toEqual({
      status: 'delivered',
      attempts: 1,
      scheduledAttempts: 1,
      updatedAt: at(1).toISOString(),
      deliveredAt: at(1).toISOString(),
      lastError: null,
    });
    expect(r.next).toBeUndefined();
    expect(r.health).toEqual({ kind: 'none' });
  });

  it('schedules the next attempt after the schedule wait, over SQS when it fits', () => {
    const r = record(scheduled(1), message(), { statusCode: 500, latencyMs: 5 });
    expect(r.next).toEqual({ attempt: 2, delaySeconds: 5 });
    expect(r.message).toMatchObject({
      status: 'failed',
      nextAttemptAt: at(6).toISOString(),
      lastError: { statusCode: 500, message: 'HTTP 500' },
    });
    expect(r.message.dueAt).toBeUndefined();
    expect(r.health).toEqual({ kind: 'failing', since: at(1).toISOString() });
  });

  it('keeps waits longer than SQS can delay in the due index', () => {
    const r = record(scheduled(3), message({ status: 'failed', attempts: 2, scheduledAttempts: 2 }), {
      statusCode: 502,
      latencyMs: 5,
    });
    expect(r.next).toBeUndefined();
    expect(r.message).toMatchObject({
      status: 'failed',
      dueAt: at(1801).toISOString(),
      nextAttemptAt: at(1801).toISOString(),
    });
  });

  it('lets Retry-After push the next attempt further than the schedule', () => {
    const r = record(scheduled(1), message(), { statusCode: 429, latencyMs: 5, retryAfter: '60' });
    expect(r.next).toEqual({ attempt: 2, delaySeconds: 60 });
    const shorter = record(scheduled(1), message(), { statusCode: 503, latencyMs: 5, retryAfter: '1' });
    expect(shorter.next).toEqual({ attempt: 2, delaySeconds: 5 });
  });

  it('exhausts the message after the last scheduled attempt', () => {
    const r = record(scheduled(4), message({ status: 'failed', attempts: 3, scheduledAttempts: 3 }), {
      latencyMs: 15000,
      error: 'timeout: no response within the send timeout',
      timedOut: true,
    });
    expect(r.message).toMatchObject({ status: 'exhausted', attempts: 4 });
    expect(r.exhausted).toEqual({
      attempts: 4,
      lastError: { message: 'timeout: no response within the send timeout' },
      exhaustedAt: at(1).toISOString(),
    });
    expect(r.next).toBeUndefined();
  });

  it('disables on 410 and holds the message', () => {
    const r = record(scheduled(1), message(), { statusCode: 410, latencyMs: 5 });
    expect(r.attempt.outcome).toBe('gone');
    expect(r.health).toEqual({ kind: 'disable', reason: 'gone', at: at(1).toISOString() });
    expect(r.message.status).toBe('held');
    expect(r.next).toBeUndefined();
  });

  it('disables an endpoint failing for longer than the window, holding the message', () => {
    const r = record(
      scheduled(2),
      message({ status: 'failed', attempts: 1, scheduledAttempts: 1 }),
      { statusCode: 500, latencyMs: 5 },
      {
        subscription: subscription({ failingSince: t0.toISOString() }),
        settings: { disableAfterSeconds: 1 },
        now: at(1),
      },
    );
    expect(r.health).toEqual({ kind: 'disable', reason: 'failing', at: at(1).toISOString() });
    expect(r.message.status).toBe('held');
  });

  it('leaves status and schedule alone when a manual attempt fails, and delivers when it succeeds', () => {
    const exhausted = message({ status: 'exhausted', attempts: 8, scheduledAttempts: 8 });
    const failedAgain = record(manual(), exhausted, { statusCode: 500, latencyMs: 5 });
    expect(failedAgain.message).toMatchObject({ status: 'exhausted', attempts: 9, scheduledAttempts: 8 });
    expect(failedAgain.attempt).toMatchObject({ attempt: 9, trigger: 'resend', outcome: 'failed' });
    expect(failedAgain.exhausted).toBeUndefined();
    expect(failedAgain.next).toBeUndefined();

    const waiting = message({
      status: 'failed',
      attempts: 2,
      scheduledAttempts: 2,
      dueAt: at(3600).toISOString(),
      nextAttemptAt: at(3600).toISOString(),
    });
    const kept = record(manual(), waiting, { statusCode: 500, latencyMs: 5 });
    expect(kept.message).toMatchObject({
      status: 'failed',
      dueAt: at(3600).toISOString(),
      nextAttemptAt: at(3600).toISOString(),
    });

    const delivered = record(manual(), waiting, { statusCode: 200, latencyMs: 5 });
    expect(delivered.message).toMatchObject({ status: 'delivered', attempts: 3, scheduledAttempts: 2 });
    expect(delivered.message.dueAt).toBeUndefined();
  });

  it('marks a test message failed when its only attempt fails, so recover finds it', () => {
    const test: RequestView = { id: 'test-1', attempt: 1, trigger: 'test', notBefore: t0.toISOString() };
    const pending = message({ status: 'pending', attempts: 0, scheduledAttempts: 0 });
    const failed = record(test, pending, { statusCode: 500, latencyMs: 5 });
    expect(failed.message).toMatchObject({ status: 'failed', attempts: 1, scheduledAttempts: 0 });
    expect(failed.next).toBeUndefined();
    expect(failed.exhausted).toBeUndefined();
    expect(record(test, pending, { statusCode: 204, latencyMs: 5 }).message.status).toBe('delivered');
  });
});

describe('endpoint health', () => {
  it('starts a run of failures, disables after the window, and forgets it on success', () => {
    expect(healthAfter({ enabled: true }, 'failed', t0, 60)).toEqual({
      kind: 'failing',
      since: t0.toISOString(),
    });
    expect(healthAfter({ enabled: true, failingSince: t0.toISOString() }, 'failed', at(59), 60)).toEqual({
      kind: 'none',
    });
    expect(healthAfter({ enabled: true, failingSince: t0.toISOString() }, 'refused', at(60), 60)).toEqual({
      kind: 'disable',
      reason: 'failing',
      at: at(60).toISOString(),
    });
    expect(healthAfter({ enabled: true, failingSince: t0.toISOString() }, 'delivered', at(1), 60)).toEqual({
      kind: 'recovered',
    });
    expect(healthAfter({ enabled: true }, 'delivered', at(1), 60)).toEqual({ kind: 'none' });
  });

  it('disables on 410 at once, and changes nothing on an endpoint already disabled', () => {
    expect(healthAfter({ enabled: true }, 'gone', t0, 60)).toEqual({
      kind: 'disable',
      reason: 'gone',
      at: t0.toISOString(),
    });
    expect(healthAfter({ enabled: false }, 'gone', t0, 60)).toEqual({ kind: 'none' });
    expect(healthAfter({ enabled: false }, 'failed', t0, 60)).toEqual({ kind: 'none' });
  });
});
