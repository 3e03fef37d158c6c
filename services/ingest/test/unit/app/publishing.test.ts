// The publishing use cases with in-memory stand-ins for the event store and the limits: what is
// admitted, stored, answered and rejected, item by item.
import type { EventStore } from '../../../src/adapters/event-store';
import type { Limits } from '../../../src/adapters/limits';
import type { PublishingPorts } from '../../../src/app/publishing';
import { publishBatch, publishEvent } from '../../../src/app/publishing';
import type { BatchItem, IngestedEvent, PublishedEvent } from '../../../src/domain/events';
import { acceptedBody, batchItems } from '../../../src/domain/events';
import { NOW, TENANT } from '../domain/fixtures';

const RATE_HEADERS = { 'RateLimit-Limit': '10', 'RateLimit-Remaining': '9', 'RateLimit-Reset': '1' };
const context = { caller: { tenantId: TENANT, keyId: 'key1' }, correlationId: 'corr-1' };

function event(eventType: string, idempotencyKey?: string): PublishedEvent {
  return {
    format: 'native',
    eventType,
    payload: {},
    source: 'api',
    attributes: {},
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
  };
}

/** An event store in memory (keys deduplicate), a limits stand-in admitting `allowedEvents`. */
function ports(options: { allowedEvents?: number; failFor?: string } = {}) {
  const stored: { event: IngestedEvent; correlationId: string | undefined }[] = [];
  const byKey = new Map<string, IngestedEvent>();
  const store: EventStore['accept'] = async (ingested, meter, correlationId) => {
    if (ingested.eventType === options.failFor) throw new Error('throttled');
    const original = ingested.idempotencyKey === undefined ? undefined : byKey.get(ingested.idempotencyKey);
    if (original) {
      const sameContent =
        original.eventType === ingested.eventType &&
        JSON.stringify(original.payload) === JSON.stringify(ingested.payload);
      return { duplicate: true, body: acceptedBody(original, true), sameContent };
    }
    if (ingested.idempotencyKey !== undefined) byKey.set(ingested.idempotencyKey, ingested);
    stored.push({ event: ingested, correlationId });
    meter.add(1, undefined);
    return { duplicate: false, body: acceptedBody(ingested, false) };
  };
  const accept = jest.fn<ReturnType<EventStore['accept']>, Parameters<EventStore['accept']>>(store);
  const acceptMany = jest.fn<ReturnType<EventStore['acceptMany']>, Parameters<EventStore['acceptMany']>>(
    (events, meter, correlationId) => Promise.allSettled(events.map((e) => store(e, meter, correlationId))),
  );
  const admit = jest.fn<ReturnType<Limits['admit']>, Parameters<Limits['admit']>>(async (_s, requested) => ({
    headers: RATE_HEADERS,
    allowedEvents: Math.min(requested, options.allowedEvents ?? requested),
    entitlement: {} as never,
  }));
  const deps: PublishingPorts = {
    events: { accept, acceptMany },
    limits: { admit, addUsage: async () => undefined },
    now: () => NOW,
  };
  return { deps, stored, accept, acceptMany, admit };
}

describe('publishEvent', () => {
  it('admits one event, stores it for the caller with the request correlation id, and answers 202 data', async () => {
    const { deps, stored, admit } = ports();
    const published = await publishEvent(event('order.placed'), context, deps);
    expect(admit).toHaveBeenCalledWith(context.caller, 1, expect.anything());
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      correlationId: 'corr-1',
      event: { tenantId: TENANT, apiKeyId: 'key1', receivedAt: NOW.toISOString(), eventType: 'order.placed' },
    });
    expect(published).toEqual({
      result: {
        status: 'accepted',
        event_id: stored[0]?.event.eventId,
        received_at: NOW.toISOString(),
        event_type: 'order.placed',
        source: 'api',
        duplicate: false,
      },
      rateLimitHeaders: RATE_HEADERS,
    });
  });

  it('refuses an idempotency key reused for other content with 422 and stores nothing new', async () => {
    const { deps, stored } = ports();
    await publishEvent(event('t', 'k'), context, deps);
    await expect(publishEvent(event('other', 'k'), context, deps)).rejects.toMatchObject({
      status: 422,
      code: 'idempotency_key_reused',
    });
    expect(stored).toHaveLength(1);
    expect(stored[0]?.event.eventType).toBe('t');
  });

  it('answers the original event for a repeated idempotency key', async () => {
    const { deps, stored } = ports();
    const first = await publishEvent(event('t', 'k'), context, deps);
    const again = await publishEvent(event('t', 'k'), context, deps);
    expect(stored).toHaveLength(1);
    expect(again.result).toEqual({ ...first.result, duplicate: true });
  });

  it('stores nothing when the limits refuse', async () => {
    const { deps, accept, admit } = ports();
    admit.mockRejectedValueOnce(new Error('429'));
    await expect(publishEvent(event('t'), context, deps)).rejects.toThrow('429');
    expect(accept).not.toHaveBeenCalled();
  });
});

describe('publishBatch', () => {
  const items = (...events: (PublishedEvent | 'bad')[]): BatchItem[] =>
    batchItems(
      events.map((e) =>
        e === 'bad'
          ? {
              ok: false,
              rejection: {
                code: 'validation_failed',
                message: 'bad',
                details: [{ path: 'x', message: 'y' }],
              },
            }
          : { ok: true, value: e },
      ),
    );
  const byIndex = <T extends { index: number }>(results: T[]) =>
    [...results].sort((a, b) => a.index - b.index);

  it('counts the request once for the events to store, rejecting those beyond the quota', async () => {
    const { deps, admit, stored } = ports({ allowedEvents: 2 });
    const published = await publishBatch(
      items(event('a', 'k'), 'bad', event('b'), event('a', 'k'), event('c')),
      context,
      deps,
    );
    expect(admit).toHaveBeenCalledTimes(1);
    expect(admit).toHaveBeenCalledWith(context.caller, 3, expect.anything());
    expect(stored.map((s) => s.event.eventType).sort()).toEqual(['a', 'b']);
    const results = byIndex(published.result);
    expect(results.map((r) => r.status)).toEqual([
      'accepted',
      'rejected',
      'accepted',
      'duplicate',
      'rejected',
    ]);
    expect(results[1]).toMatchObject({ error: { code: 'validation_failed', details: [{ path: 'x' }] } });
    expect(results[3]).toMatchObject({
      event_id: results[0] && 'event_id' in results[0] ? results[0].event_id : 'none',
      duplicate: true,
    });
    expect(results[4]).toMatchObject({ error: { code: 'quota_exhausted' } });
    expect(published.rateLimitHeaders).toEqual(RATE_HEADERS);
  });

  it('rejects alone an item that could not be stored, and its in-batch repeats', async () => {
    const { deps } = ports({ failFor: 'broken' });
    const published = await publishBatch(
      items(event('broken', 'k'), event('fine'), event('broken', 'k')),
      context,
      deps,
    );
    const results = byIndex(published.result);
    expect(results[0]).toMatchObject({ status: 'rejected', error: { code: 'internal_error' } });
    expect(results[1]).toMatchObject({ status: 'accepted' });
    expect(results[2]).toMatchObject({ status: 'rejected', error: { code: 'duplicate_of_rejected' } });
  });

  it('stores the events without a key in one call of the store, those with a key one by one', async () => {
    const { deps, accept, acceptMany, stored } = ports();
    const published = await publishBatch(
      items(event('a', 'k'), event('b'), 'bad', event('c')),
      context,
      deps,
    );
    expect(acceptMany).toHaveBeenCalledTimes(1);
    expect(acceptMany.mock.calls[0]![0].map((e) => e.eventType)).toEqual(['b', 'c']);
    expect(acceptMany.mock.calls[0]![2]).toBe('corr-1');
    expect(accept.mock.calls.map(([e]) => e.eventType)).toEqual(['a']);
    expect(stored.map((s) => s.event.eventType).sort()).toEqual(['a', 'b', 'c']);
    const results = byIndex(published.result);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'rejected', 'accepted']);
    // Every event of the batch has an id of its own.
    expect(new Set(stored.map((s) => s.event.eventId)).size).toBe(3);
  });

  it('rejects alone an event without a key the store could not write', async () => {
    const { deps, acceptMany } = ports();
    acceptMany.mockImplementationOnce(async (events) =>
      events.map((e, i) =>
        i === 1
          ? { status: 'rejected' as const, reason: new Error('unprocessed') }
          : { status: 'fulfilled' as const, value: { duplicate: false, body: acceptedBody(e, false) } },
      ),
    );
    const published = await publishBatch(items(event('a'), event('b'), event('c')), context, deps);
    const results = byIndex(published.result);
    expect(results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'accepted']);
    expect(results[1]).toMatchObject({ error: { code: 'internal_error' } });
  });

  it('rejects only the item whose idempotency key was used before for other content (422 code)', async () => {
    const { deps, stored } = ports();
    await publishEvent(event('t', 'k'), context, deps);
    const published = await publishBatch(items(event('other', 'k'), event('fresh')), context, deps);
    const results = byIndex(published.result);
    expect(results[0]).toMatchObject({ status: 'rejected', error: { code: 'idempotency_key_reused' } });
    expect(results[1]).toMatchObject({ status: 'accepted' });
    expect(stored.map((s) => s.event.eventType)).toEqual(['t', 'fresh']);
  });
});
