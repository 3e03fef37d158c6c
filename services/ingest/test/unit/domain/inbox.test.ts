import {
  DEFAULT_INBOX_LIMIT,
  decideAck,
  decideRelease,
  inboxCursorScope,
  inboxQuerySchema,
  isVisible,
  leaseCondition,
  leaseFor,
  parseInboxCursor,
  planInboxPage,
  toEventView,
  visibleToTenant,
} from '../../../src/domain/inbox';
import type { InboxEvent } from '../../../src/domain/inbox';
import { NOW, OTHER_TENANT, TENANT, at, seconds } from './fixtures';

function stored(n: number, overrides: Partial<InboxEvent> = {}): InboxEvent {
  return {
    format: 'native',
    tenantId: TENANT,
    eventId: `evt_${String(n).padStart(3, '0')}`,
    eventType: 'order.placed',
    source: 'api',
    payload: { n },
    attributes: {},
    receivedAt: at(NOW, -seconds(1000 - n)).toISOString(),
    ...overrides,
  };
}

describe('inboxQuerySchema', () => {
  it('defaults the limit to 50 and accepts 1..200', () => {
    expect(inboxQuerySchema.parse({})).toEqual({ limit: DEFAULT_INBOX_LIMIT });
    expect(inboxQuerySchema.parse({ limit: '200', lease_seconds: '30' })).toEqual({
      limit: 200,
      lease_seconds: 30,
    });
  });

  it.each([
    { limit: '0' },
    { limit: '201' },
    { limit: '1.5' },
    { lease_seconds: '0' },
    { lease_seconds: '43201' },
    { other: 'x' },
  ])('refuses %j', (query) => {
    expect(inboxQuerySchema.safeParse(query).success).toBe(false);
  });
});

describe('visibility', () => {
  it('hides acknowledged events, and leased ones until the lease ends', () => {
    expect(isVisible({}, NOW)).toBe(true);
    expect(isVisible({ acknowledgedAt: NOW.toISOString() }, NOW)).toBe(false);
    expect(isVisible({ leaseUntil: NOW.getTime() + 1 }, NOW)).toBe(false);
    expect(isVisible({ leaseUntil: NOW.getTime() }, NOW)).toBe(true);
  });
});

describe('planInboxPage', () => {
  it('returns the oldest visible events first, at most limit, with a cursor after the last one examined', () => {
    const candidates = [
      stored(3),
      stored(1),
      stored(2, { leaseUntil: NOW.getTime() + 5000 }),
      stored(4),
      stored(5),
    ];
    const page = planInboxPage(candidates, { limit: 3, now: NOW, indexExhausted: true });
    expect(page.events.map((e) => e.eventId)).toEqual(['evt_001', 'evt_003', 'evt_004']);
    expect(page.hasMore).toBe(true);
    expect(page.nextCursor).toEqual({
      v: 1,
      after: { receivedAt: stored(4).receivedAt, eventId: 'evt_004' },
    });
  });

  it('says there is no more when the index is exhausted and every candidate was examined', () => {
    const page = planInboxPage([stored(1), stored(2)], { limit: 2, now: NOW, indexExhausted: true });
    expect(page).toMatchObject({ hasMore: false });
    expect(page.nextCursor).toBeUndefined();
  });

  it('keeps paging when the adapter has not reached the end of the index', () => {
    const page = planInboxPage([stored(1, { leaseUntil: NOW.getTime() + 1 })], {
      limit: 50,
      now: NOW,
      indexExhausted: false,
    });
    expect(page.events).toEqual([]);
    expect(page.hasMore).toBe(true);
    expect(page.nextCursor?.after.eventId).toBe('evt_001');
  });

  it('orders events received in the same millisecond by id', () => {
    const same = NOW.toISOString();
    const page = planInboxPage([stored(9, { receivedAt: same }), stored(8, { receivedAt: same })], {
      limit: 5,
      now: NOW,
      indexExhausted: true,
    });
    expect(page.events.map((e) => e.eventId)).toEqual(['evt_008', 'evt_009']);
  });
});

describe('cursor payload', () => {
  it('accepts only our shape and scopes the MAC to the tenant', () => {
    const cursor = { v: 1, after: { receivedAt: NOW.toISOString(), eventId: 'evt_1' } };
    expect(parseInboxCursor(cursor)).toEqual(cursor);
    expect(parseInboxCursor({ ...cursor, v: 2 })).toBeNull();
    expect(parseInboxCursor({ v: 1, after: { receivedAt: 'yesterday', eventId: 'evt_1' } })).toBeNull();
    expect(parseInboxCursor({ ...cursor, tenantId: OTHER_TENANT })).toBeNull();
    expect(inboxCursorScope(TENANT)).not.toBe(inboxCursorScope(OTHER_TENANT));
  });
});

describe('leases', () => {
  it('computes the lease end and refuses an out-of-range length', () => {
    expect(leaseFor(NOW, 30, 'tok')).toEqual({ leaseUntil: NOW.getTime() + 30_000, leaseToken: 'tok' });
    expect(() => leaseFor(NOW, 0, 'tok')).toThrow(RangeError);
    expect(() => leaseFor(NOW, 12 * 3600 + 1, 'tok')).toThrow(RangeError);
  });

  it('takes a lease only on an unacknowledged event with no live lease', () => {
    const condition = leaseCondition(NOW);
    expect(condition.ConditionExpression).toContain('attribute_not_exists(#acknowledgedAt)');
    expect(condition.ConditionExpression).toContain('#leaseUntil <= :now');
    expect(condition.ExpressionAttributeValues[':now']).toBe(NOW.getTime());
  });

  it('releases only for the lease holder while the lease lasts', () => {
    const leased = stored(1, leaseFor(NOW, 60, 'mine'));
    expect(decideRelease(leased, TENANT, 'mine', at(NOW, seconds(10)))).toEqual({ outcome: 'release' });
    expect(decideRelease(leased, TENANT, 'theirs', at(NOW, seconds(10)))).toEqual({
      outcome: 'lease_mismatch',
    });
    expect(decideRelease(leased, TENANT, 'mine', at(NOW, seconds(60)))).toEqual({ outcome: 'not_leased' });
    expect(decideRelease(leased, OTHER_TENANT, 'mine', NOW)).toEqual({ outcome: 'not_found' });
    expect(decideRelease({ ...leased, acknowledgedAt: NOW.toISOString() }, TENANT, 'mine', NOW)).toEqual({
      outcome: 'already_acknowledged',
    });
  });
});

describe('decideAck', () => {
  it('acknowledges once, then answers the same 204 without a write', () => {
    expect(decideAck(stored(1), TENANT, NOW)).toEqual({
      outcome: 'acknowledge',
      acknowledgedAt: NOW.toISOString(),
      // The table's TTL deletes it 30 days after the acknowledgement.
      expiresAtEpoch: Math.floor(NOW.getTime() / 1000) + 30 * 86_400,
    });
    expect(decideAck(stored(1, { acknowledgedAt: NOW.toISOString() }), TENANT, NOW)).toEqual({
      outcome: 'already_acknowledged',
    });
  });

  it("answers 404 for a missing event and for another tenant's event alike", () => {
    expect(decideAck(undefined, TENANT, NOW)).toEqual({ outcome: 'not_found' });
    expect(decideAck(stored(1), OTHER_TENANT, NOW)).toEqual({ outcome: 'not_found' });
  });

  it('acknowledges a leased event, whoever holds the lease', () => {
    expect(decideAck(stored(1, leaseFor(NOW, 60, 'x')), TENANT, NOW).outcome).toBe('acknowledge');
  });
});

describe('views', () => {
  it('shows the event in the API shape, with its live lease', () => {
    const view = toEventView(stored(1, { ...leaseFor(NOW, 30, 'tok'), attributes: { id: 'ce-1' } }), NOW);
    expect(view).toEqual({
      event_id: 'evt_001',
      event_type: 'order.placed',
      source: 'api',
      received_at: stored(1).receivedAt,
      payload: { n: 1 },
      attributes: { id: 'ce-1' },
      delivered: false,
      lease: { token: 'tok', expires_at: at(NOW, seconds(30)).toISOString() },
    });
    expect(toEventView(stored(1, leaseFor(NOW, 30, 'tok')), at(NOW, seconds(31))).lease).toBeUndefined();
  });

  it('shows a lease without its token to anyone but the listing that took it', () => {
    const view = toEventView(stored(1, leaseFor(NOW, 30, 'tok')), NOW, { leaseToken: false });
    expect(view.lease).toEqual({ expires_at: at(NOW, seconds(30)).toISOString() });
  });

  it("hides another tenant's event", () => {
    expect(visibleToTenant(stored(1), OTHER_TENANT)).toBeUndefined();
    expect(visibleToTenant(stored(1), TENANT)?.eventId).toBe('evt_001');
  });
});
