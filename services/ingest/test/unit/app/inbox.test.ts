// The pull API's use cases over a stand-in inbox store: what each store decision answers.
import type { InboxStore } from '../../../src/adapters/inbox-store';
import { acknowledgeEvent, listInbox, readEvent, releaseLease } from '../../../src/app/inbox';
import type { InboxEvent, ReleaseDecision } from '../../../src/domain/inbox';
import { NOW, OTHER_TENANT, TENANT } from '../domain/fixtures';

const reader = { tenantId: TENANT, keyId: 'key1' };

function stored(tenantId = TENANT): InboxEvent {
  return {
    format: 'native',
    eventType: 't',
    payload: {},
    source: 'api',
    attributes: {},
    tenantId,
    eventId: 'E1',
    receivedAt: NOW.toISOString(),
  };
}

function store(overrides: Partial<InboxStore>): InboxStore {
  return overrides as InboxStore;
}

describe('pull API use cases', () => {
  it('lists after the decoded cursor, leasing when asked', async () => {
    const decodeInboxCursor = jest.fn(async () => ({
      v: 1 as const,
      after: { receivedAt: 'r', eventId: 'e' },
    }));
    const list = jest.fn(async () => ({ events: [], nextCursor: null, hasMore: false }));
    const s = store({ decodeInboxCursor, listInbox: list });
    await listInbox(reader, { limit: 5, cursor: 'signed', leaseSeconds: 30 }, s);
    expect(decodeInboxCursor).toHaveBeenCalledWith(TENANT, 'signed');
    expect(list).toHaveBeenCalledWith(TENANT, {
      limit: 5,
      cursor: { v: 1, after: { receivedAt: 'r', eventId: 'e' } },
      leaseSeconds: 30,
    });
    await listInbox(reader, { limit: 5 }, s);
    expect(list).toHaveBeenLastCalledWith(TENANT, { limit: 5 });
    expect(decodeInboxCursor).toHaveBeenCalledTimes(1);
  });

  it("reads the tenant's own event and answers 404 for a missing or foreign one", async () => {
    await expect(readEvent(reader, 'E1', store({ getEvent: async () => stored() }))).resolves.toMatchObject({
      eventId: 'E1',
    });
    for (const event of [undefined, stored(OTHER_TENANT)]) {
      await expect(readEvent(reader, 'E1', store({ getEvent: async () => event }))).rejects.toMatchObject({
        status: 404,
        code: 'not_found',
      });
    }
  });

  it('acknowledges with the reader key, idempotently, and 404 for an unknown event', async () => {
    const acknowledge = jest.fn(async () => ({ outcome: 'already_acknowledged' as const }));
    await expect(acknowledgeEvent(reader, 'E1', store({ acknowledge }))).resolves.toBeUndefined();
    expect(acknowledge).toHaveBeenCalledWith(TENANT, 'E1', 'key1');
    const missing = store({ acknowledge: async () => ({ outcome: 'not_found' }) });
    await expect(acknowledgeEvent(reader, 'E1', missing)).rejects.toMatchObject({ status: 404 });
  });

  it.each<[ReleaseDecision['outcome'], { status: number; code: string } | undefined]>([
    ['release', undefined],
    ['not_leased', undefined],
    ['not_found', { status: 404, code: 'not_found' }],
    ['lease_mismatch', { status: 409, code: 'lease_mismatch' }],
    ['already_acknowledged', { status: 409, code: 'already_acknowledged' }],
  ])('answers a release decided %s', async (outcome, error) => {
    const release = jest.fn(async () => ({ outcome }) as ReleaseDecision);
    const result = releaseLease(reader, 'E1', 'token', store({ release }));
    if (error) await expect(result).rejects.toMatchObject(error);
    else await expect(result).resolves.toBeUndefined();
    expect(release).toHaveBeenCalledWith(TENANT, 'E1', 'token');
  });
});
