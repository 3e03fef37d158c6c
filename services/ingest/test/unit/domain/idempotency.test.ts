import { newIngestedEvent } from '../../../src/domain/events';
import type { IngestedEvent } from '../../../src/domain/events';
import {
  IDEMPOTENCY_WINDOW_SECONDS,
  decideOnConflict,
  eventFingerprint,
  idempotencyPutCondition,
  idempotencyRecordKey,
  isWithinWindow,
  newIdempotencyRecord,
  staleOverwriteCondition,
} from '../../../src/domain/idempotency';
import { NOW, OTHER_TENANT, TENANT, at, seconds } from './fixtures';

function event(overrides: Partial<IngestedEvent> = {}): IngestedEvent {
  return {
    ...newIngestedEvent(
      {
        format: 'native',
        eventType: 'order.placed',
        payload: { id: 1 },
        source: 'shop',
        idempotencyKey: 'k-1',
        attributes: {},
      },
      { tenantId: TENANT, eventId: 'evt_original', now: NOW },
    ),
    ...overrides,
  };
}

describe('idempotencyRecordKey', () => {
  it('is fixed-length whatever the key, and scoped by tenant', () => {
    const long = idempotencyRecordKey(TENANT, 'x'.repeat(255));
    expect(long).toMatch(/^idem#[a-f0-9]{64}$/);
    expect(idempotencyRecordKey(TENANT, 'k')).not.toBe(idempotencyRecordKey(OTHER_TENANT, 'k'));
    expect(idempotencyRecordKey(TENANT, 'k')).toBe(idempotencyRecordKey(TENANT, 'k'));
  });

  it('cannot be confused by separators inside the tenant or the key', () => {
    expect(idempotencyRecordKey('a#b', 'c')).not.toBe(idempotencyRecordKey('a', 'b#c'));
  });
});

describe('newIdempotencyRecord', () => {
  it('stores what a duplicate answers and a 24 h TTL in epoch seconds', () => {
    const record = newIdempotencyRecord(event());
    expect(record).toEqual({
      pk: idempotencyRecordKey(TENANT, 'k-1'),
      tenantId: TENANT,
      eventId: 'evt_original',
      receivedAt: NOW.toISOString(),
      eventType: 'order.placed',
      source: 'shop',
      expiresAt: NOW.getTime() / 1000 + IDEMPOTENCY_WINDOW_SECONDS,
      fingerprint: eventFingerprint(event()),
    });
  });

  it('is undefined for an event without a key (nothing to deduplicate)', () => {
    const { idempotencyKey: _key, ...rest } = event();
    expect(newIdempotencyRecord(rest)).toBeUndefined();
  });
});

describe('idempotencyPutCondition', () => {
  it('lets a write through when there is no record or the record has expired, naming attributes by placeholder', () => {
    const condition = idempotencyPutCondition(NOW);
    expect(condition.ConditionExpression).toBe('attribute_not_exists(#pk) OR #expiresAt <= :now');
    expect(condition.ExpressionAttributeNames).toEqual({ '#pk': 'pk', '#expiresAt': 'expiresAt' });
    expect(condition.ExpressionAttributeValues[':now']).toBe(NOW.getTime() / 1000);
  });
});

describe('decideOnConflict', () => {
  const record = newIdempotencyRecord(event());

  it('answers a live record as a duplicate with the original event', () => {
    const retry = event({ eventId: 'evt_new', receivedAt: at(NOW, seconds(5)).toISOString() });
    const decision = decideOnConflict(record, retry, at(NOW, seconds(5)));
    expect(decision).toEqual({
      outcome: 'duplicate',
      sameContent: true,
      body: {
        status: 'accepted',
        event_id: 'evt_original',
        received_at: NOW.toISOString(),
        event_type: 'order.placed',
        source: 'shop',
        duplicate: true,
      },
    });
  });

  it('still answers the original when the key is reused for other content, but says so', () => {
    const decision = decideOnConflict(record, event({ payload: { id: 2 } }), at(NOW, seconds(1)));
    expect(decision.outcome).toBe('duplicate');
    expect(decision.outcome === 'duplicate' && decision.sameContent).toBe(false);
  });

  it('treats a record older than 24 h that TTL has not removed yet as absent', () => {
    const later = at(NOW, seconds(IDEMPOTENCY_WINDOW_SECONDS));
    expect(decideOnConflict(record, event(), later)).toEqual({
      outcome: 'new',
      staleEventId: 'evt_original',
    });
    expect(decideOnConflict(record, event(), at(later, -1)).outcome).toBe('duplicate');
  });

  it('does not trust a TTL that lies: the receipt time also closes the window', () => {
    const inconsistent = record && {
      ...record,
      expiresAt: record.expiresAt + 10 * IDEMPOTENCY_WINDOW_SECONDS,
    };
    expect(
      decideOnConflict(inconsistent, event(), at(NOW, seconds(IDEMPOTENCY_WINDOW_SECONDS + 1))).outcome,
    ).toBe('new');
  });

  it('asks for a retry when the record vanished between the failed write and the read', () => {
    expect(decideOnConflict(undefined, event(), NOW)).toEqual({ outcome: 'retry' });
  });

  it('throws (a 500) for a record of another tenant: corrupt data is a bug, not a duplicate', () => {
    expect(() => decideOnConflict(record, event({ tenantId: OTHER_TENANT }), NOW)).toThrow(/another tenant/);
  });

  it('guards the overwrite of a stale record on its event id', () => {
    expect(staleOverwriteCondition('evt_original')).toEqual({
      ConditionExpression: '#eventId = :staleEventId',
      ExpressionAttributeNames: { '#eventId': 'eventId' },
      ExpressionAttributeValues: { ':staleEventId': 'evt_original' },
    });
  });
});

describe('isWithinWindow', () => {
  it('is open for 24 h after receipt and closed after', () => {
    const record = {
      receivedAt: NOW.toISOString(),
      expiresAt: NOW.getTime() / 1000 + IDEMPOTENCY_WINDOW_SECONDS,
    };
    expect(isWithinWindow(record, at(NOW, seconds(IDEMPOTENCY_WINDOW_SECONDS - 1)))).toBe(true);
    expect(isWithinWindow(record, at(NOW, seconds(IDEMPOTENCY_WINDOW_SECONDS)))).toBe(false);
    expect(isWithinWindow({ ...record, receivedAt: 'garbage' }, NOW)).toBe(false);
  });
});
