// fanOut, the use case: the tenant's subscriptions in, the event copy, messages and first attempts
// out. Store and queue are fakes here; the integration suite runs them for real.
import type { EventReceived } from '@switchyard/contracts';
import type { AttemptRequest } from '../../../src/adapters/dispatch';
import { fanOut } from '../../../src/app/fan-out';
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
