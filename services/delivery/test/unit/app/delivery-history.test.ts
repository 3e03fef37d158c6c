// The history reads over a fake store: keyed by the caller's tenant, 404 for anything else.
import { eventDeliveries, listAttempts } from '../../../src/app/delivery-history';
import type { HistoryDeps } from '../../../src/app/delivery-history';
import { message, subscription, t0 } from '../fixtures';

const caller = { tenantId: 't1', actorId: 'key:k1' };

function deps(owner = 't1', found: Awaited<ReturnType<HistoryDeps['store']['getEventDeliveries']>>) {
  const store = {
    getSubscription: jest.fn(async () => subscription({ tenantId: owner })),
    listAttempts: jest.fn(async () => ({ items: [], nextCursor: null, hasMore: false })),
    getEventDeliveries: jest.fn(async () => found),
  };
  return { deps: { store }, store };
}

describe('delivery history', () => {
  it("lists a subscription's attempts only when it is the caller's tenant's", async () => {
    const own = deps('t1', { messages: [], attempts: [] });
    await listAttempts(caller, 'sub_1', { limit: 10, cursor: 'c' }, own.deps);
    expect(own.store.listAttempts).toHaveBeenCalledWith('t1', 'sub_1', { limit: 10, cursor: 'c' });

    const foreign = deps('t2', { messages: [], attempts: [] });
    await expect(listAttempts(caller, 'sub_1', { limit: 10 }, foreign.deps)).rejects.toMatchObject({
      status: 404,
    });
    expect(foreign.store.listAttempts).not.toHaveBeenCalled();
  });

  it("shows an event's messages, and is a 404 when delivery has no trace of it", async () => {
    const found = deps('t1', { messages: [message()], attempts: [] });
    await expect(eventDeliveries(caller, 'e1', found.deps)).resolves.toMatchObject({
      event_id: 'e1',
      received_at: t0.toISOString(),
      messages: [{ subscription_id: 'sub_1', webhook_id: 'msg_1', status: 'pending' }],
    });
    expect(found.store.getEventDeliveries).toHaveBeenCalledWith('t1', 'e1');
    const none = deps('t1', { messages: [], attempts: [] });
    await expect(eventDeliveries(caller, 'e1', none.deps)).rejects.toMatchObject({ status: 404 });
  });
});
