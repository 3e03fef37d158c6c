import {
  acceptedBody,
  batchItems,
  cloudEventIdempotencyKey,
  newIngestedEvent,
} from '../../../src/domain/events';
import type { Outcome, PublishedEvent } from '../../../src/domain/events';
import { NOW, TENANT } from './fixtures';

describe('CloudEvents dedup key', () => {
  it('bounds the derived key: long pairs become a hash, distinct pairs stay distinct', () => {
    const long = cloudEventIdempotencyKey('s'.repeat(200), 'i'.repeat(200));
    expect(long).toMatch(/^ce-sha256:[a-f0-9]{64}$/);
    expect(cloudEventIdempotencyKey('a', 'b_c')).not.toBe(cloudEventIdempotencyKey('a_b', 'c'));
  });
});

describe('batch items', () => {
  const event = (idempotencyKey?: string): Outcome<PublishedEvent> => ({
    ok: true,
    value: {
      format: 'native',
      eventType: 't',
      payload: {},
      source: 'api',
      attributes: {},
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    },
  });

  it('keeps each item at its index and marks a repeated key as a duplicate of its first item', () => {
    const refused: Outcome<PublishedEvent> = {
      ok: false,
      rejection: { code: 'validation_failed', message: 'bad', details: [] },
    };
    const items = batchItems([event('k'), refused, event(), event('k'), event('other')]);
    expect(items.map((item) => [item.index, item.ok])).toEqual([
      [0, true],
      [1, false],
      [2, true],
      [3, true],
      [4, true],
    ]);
    expect(items.map((item) => (item.ok ? item.duplicateOfIndex : 'rejected'))).toEqual([
      undefined,
      'rejected',
      undefined,
      0,
      undefined,
    ]);
  });
});

describe('the accepted answer', () => {
  const stored = newIngestedEvent(
    { format: 'native', eventType: 'order.placed', payload: {}, source: 'api', attributes: {} },
    { tenantId: TENANT, eventId: 'evt_1', now: NOW, apiKeyId: 'key1' },
  );

  it('builds the 202 body from the stored event', () => {
    expect(acceptedBody(stored, false)).toEqual({
      status: 'accepted',
      event_id: 'evt_1',
      received_at: NOW.toISOString(),
      event_type: 'order.placed',
      source: 'api',
      duplicate: false,
    });
    expect(stored.apiKeyId).toBe('key1');
  });
});
