import {
  carriageProblem,
  MAX_NESTING_DEPTH,
  parseJsonText,
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

describe('what the platform can carry', () => {
  const nest = (levels: number, bottom: unknown = 1) => {
    let value: unknown = bottom;
    for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
    return value;
  };

  it('accepts every plane and control characters (JSON escapes them), nesting up to the limit', () => {
    expect(
      carriageProblem({ a: '\u{1F600}\u{10FFFF}\u{E000}\u0001\t', '\u{1F680}': ['\uFFFD'] }),
    ).toBeUndefined();
    expect(carriageProblem(nest(MAX_NESTING_DEPTH))).toBeUndefined();
  });

  it('refuses U+FFFE, U+FFFF and unpaired surrogates in values and keys, without quoting them', () => {
    for (const bad of ['\uFFFE', 'x\uFFFF', '\uD83D', 'a\uDE00b', '\uDE00\uD83D']) {
      const problem = carriageProblem({ k: [bad] });
      expect(problem).toMatch(/cannot be carried/);
      expect(problem).not.toContain(bad);
      expect(carriageProblem({ [bad]: 1 })).toMatch(/cannot be carried/);
    }
  });

  it('refuses nesting past the limit, iteratively: 100,000 levels is an answer, not a stack overflow', () => {
    expect(carriageProblem(nest(MAX_NESTING_DEPTH + 1))).toBe(
      `Nested deeper than ${MAX_NESTING_DEPTH} levels`,
    );
    expect(carriageProblem(nest(100_000))).toBe(`Nested deeper than ${MAX_NESTING_DEPTH} levels`);
    const text = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(parseJsonText(text, 'body')).toMatchObject({
      ok: false,
      rejection: { code: 'validation_failed' },
    });
  });
});
