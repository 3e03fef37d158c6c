// fanOut, the use case: the tenant's subscriptions in, the event copy, messages and first attempts
// out. Store and queue are fakes here; the integration suite runs them for real.
import type { EventReceived } from '@switchyard/contracts';
import type { AttemptRequest } from '../../../src/adapters/dispatch';
import type { AttemptOrder, FreshMessage } from '../../../src/app/deliver';
import { fanOut } from '../../../src/app/fan-out';
import type { FanOutDeps } from '../../../src/app/fan-out';
import { subscription, t0, testRuntime as runtime } from '../fixtures';

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
          return 'created';
        },
        createMessage: async (m) => {
          created.push(m);
          return 'created';
        },
        release: jest.fn(),
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
      store: {
        listSubscriptions: async () => [subscription()],
        saveEvent,
        createMessage: jest.fn(),
        release: jest.fn(),
      },
      requestAttempts: jest.fn(),
      resolvePayload: jest.fn(),
      runtime,
      now: () => t0,
      random: Math.random,
    });
    expect(saveEvent).not.toHaveBeenCalled();
  });

  describe('first attempts made at once', () => {
    function harness(over: { exists?: string[]; failFor?: string[]; eventCopy?: 'created' | 'exists' } = {}) {
      const claims: Record<string, unknown> = {};
      const createdFor: string[] = [];
      const queued: AttemptRequest[] = [];
      const attempted: { order: AttemptOrder; fresh: FreshMessage }[] = [];
      const release = jest.fn(async () => undefined);
      const deps: FanOutDeps = {
        store: {
          listSubscriptions: async () => [
            subscription(),
            subscription({ subscriptionId: 'sub_2', enabled: false }),
            subscription({ subscriptionId: 'sub_4', slowUntil: new Date(t0.getTime() + 1000).toISOString() }),
            subscription({ subscriptionId: 'sub_5' }),
          ],
          saveEvent: async () => over.eventCopy ?? 'exists',
          createMessage: async (m, _expires, claim) => {
            createdFor.push(m.subscriptionId);
            claims[m.subscriptionId] = claim;
            return over.exists?.includes(m.subscriptionId) ? 'exists' : 'created';
          },
          release,
        },
        requestAttempts: async (r) => {
          queued.push(...r);
        },
        attemptNow: async (order, fresh) => {
          attempted.push({ order, fresh });
          if (over.failFor?.includes(order.subscriptionId)) throw new Error('table unavailable');
        },
        resolvePayload: async (m) => m.payload!,
        runtime,
        now: () => t0,
        random: () => 0.5,
      };
      return { deps, claims, createdFor, queued, attempted, release };
    }

    it('for an event seen before, makes the due, default-lane ones here with the message created claimed, and queues the rest', async () => {
      const h = harness({ exists: ['sub_5'] });
      await fanOut(received(), h.deps);
      expect(h.attempted.map((a) => a.order)).toEqual([
        expect.objectContaining({
          id: expect.stringMatching(/^msg_.+\.a1$/),
          subscriptionId: 'sub_1',
          attempt: 1,
        }),
      ]);
      const { order, fresh } = h.attempted[0]!;
      expect(fresh.event).toEqual(expect.objectContaining({ eventId: 'e1', data: '{"a":1}' }));
      expect(fresh.message).toEqual(expect.objectContaining({ subscriptionId: 'sub_1', status: 'pending' }));
      expect(fresh.subscription.subscriptionId).toBe('sub_1');
      expect(fresh.written).toBe(true);
      expect(h.claims.sub_1).toEqual({ requestId: order.id, until: new Date(t0.getTime() + 60_000) });
      // Held, slow-lane and already existing messages are not claimed at creation.
      expect([h.claims.sub_2, h.claims.sub_4]).toEqual([undefined, undefined]);
      expect(h.queued.map((r) => [r.subscriptionId, r.lane])).toEqual([
        ['sub_4', 'slow'],
        ['sub_5', 'default'],
      ]);
      expect(h.release).not.toHaveBeenCalled();
    });

    it('gives the claim back and queues an attempt that failed here', async () => {
      const h = harness({ failFor: ['sub_5'] });
      await fanOut(received(), h.deps);
      expect(h.attempted.map((a) => a.order.subscriptionId)).toEqual(['sub_1', 'sub_5']);
      const failed = h.attempted[1]!;
      expect(h.release).toHaveBeenCalledWith(failed.fresh.message, failed.order.id);
      expect(h.queued.map((r) => [r.subscriptionId, r.attempt])).toEqual([
        ['sub_4', 1],
        ['sub_5', 1],
      ]);
    });

    it('for an event seen first, writes the messages it attempts here only with their attempts', async () => {
      const h = harness({ eventCopy: 'created' });
      await fanOut(received(), h.deps);
      expect(h.attempted.map((a) => [a.order.subscriptionId, a.fresh.written])).toEqual([
        ['sub_1', false],
        ['sub_5', false],
      ]);
      // Held and slow-lane messages are created before their requests are queued.
      expect(h.createdFor).toEqual(['sub_2', 'sub_4']);
      expect(h.queued.map((r) => [r.subscriptionId, r.lane])).toEqual([['sub_4', 'slow']]);
    });

    it('writes the message unclaimed and queues an attempt that failed here before it was recorded', async () => {
      const h = harness({ eventCopy: 'created', failFor: ['sub_5'] });
      await fanOut(received(), h.deps);
      expect(h.createdFor).toEqual(['sub_2', 'sub_4', 'sub_5']);
      expect(h.claims.sub_5).toBeUndefined();
      expect(h.release).not.toHaveBeenCalled();
      expect(h.queued.map((r) => [r.subscriptionId, r.attempt])).toEqual([
        ['sub_4', 1],
        ['sub_5', 1],
      ]);
    });

    it('queues every first attempt when the schedule waits before the first', async () => {
      const h = harness();
      await fanOut(received(), {
        ...h.deps,
        runtime: { ...runtime, settings: { ...runtime.settings, schedule: [5, 30] } },
      });
      expect(h.attempted).toEqual([]);
      expect(h.queued.map((r) => [r.subscriptionId, r.delaySeconds])).toEqual([
        ['sub_1', 5],
        ['sub_4', 5],
        ['sub_5', 5],
      ]);
    });
  });
});
