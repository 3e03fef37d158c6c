/**
 * Publishing, step by step, for POST /events and POST /events/batch: the limits admit the request
 * (402 / 429 thrown), each event is stored once (a transaction with its dedup record when it has an
 * idempotency key), and one `write_cost` log line says what the request cost in DynamoDB writes.
 * The events reach the bus later, through the events table's stream (./outbox.ts).
 */
import { HttpError, logger } from '@switchyard/runtime';
import type {
  AcceptedEventBody,
  BatchItem,
  BatchItemResult,
  PublishedEvent,
  Rejection,
} from '../domain/events';
import { acceptedItem, newIngestedEvent, rejectedItem } from '../domain/events';
import type { EventStore, StoreOutcome } from '../adapters/event-store';
import { eventStore, newEventId } from '../adapters/event-store';
import type { Limits } from '../adapters/limits';
import { requestLimits } from '../adapters/limits';
import type { WriteMeter } from '../adapters/write-meter';
import { createWriteMeter } from '../adapters/write-meter';

/** Keyed items stored at once: enough to hide DynamoDB latency, few enough not to flood one partition. */
const CONCURRENCY = 10;

/** Who publishes, and the request the events came in. */
export interface PublishContext {
  caller: { tenantId: string; keyId: string };
  correlationId: string;
}

export interface PublishingPorts {
  events: EventStore;
  limits: Limits;
  now: () => Date;
}

const defaultPorts = (): PublishingPorts => ({
  events: eventStore(),
  limits: requestLimits(),
  now: () => new Date(),
});

/**
 * An idempotency key sent again with other content: the IETF Idempotency-Key draft and Stripe answer
 * 422, because returning the first event would tell the producer its second one was stored.
 */
const IDEMPOTENCY_KEY_REUSED = {
  code: 'idempotency_key_reused',
  message: 'This idempotency key was used for an event with other content; use a new key',
};
const idempotencyKeyReused = () =>
  new HttpError(422, IDEMPOTENCY_KEY_REUSED.code, IDEMPOTENCY_KEY_REUSED.message);

/** What a publish request answers, beside its body: the RateLimit-* headers of the admission. */
export interface Published<T> {
  result: T;
  rateLimitHeaders: Record<string, string>;
}

/** A published event as the caller's, its id a new ULID. */
function ingestedOf(published: PublishedEvent, context: PublishContext, ports: PublishingPorts) {
  const now = ports.now();
  return newIngestedEvent(published, {
    tenantId: context.caller.tenantId,
    eventId: newEventId(now),
    now,
    apiKeyId: context.caller.keyId,
  });
}

/** Stores one published event for the caller. */
function storeEvent(
  published: PublishedEvent,
  context: PublishContext,
  meter: WriteMeter,
  ports: PublishingPorts,
): Promise<StoreOutcome> {
  return ports.events.accept(ingestedOf(published, context, ports), meter, context.correlationId);
}

/**
 * One info line per request with what it cost in DynamoDB writes: `dynamodbWrites` (items written)
 * and `dynamodbWriteUnits` (ConsumedCapacity, TOTAL). Never the payload or the key.
 */
function logWriteCost(
  meter: WriteMeter,
  events: number,
  tenantId: string,
  withIdempotencyKeys: number,
): void {
  logger.info('write_cost', {
    tenantId,
    events,
    withIdempotencyKeys,
    dynamodbWrites: meter.writes,
    dynamodbWriteUnits: meter.writeUnits,
  });
}

/** POST /events: admits the request, then stores the event (or finds the original of a duplicate). */
export async function publishEvent(
  event: PublishedEvent,
  context: PublishContext,
  ports: PublishingPorts = defaultPorts(),
): Promise<Published<AcceptedEventBody>> {
  const meter = createWriteMeter();
  const admission = await ports.limits.admit(context.caller, 1, meter);
  const outcome = await storeEvent(event, context, meter, ports);
  if (outcome.duplicate && !outcome.sameContent) throw idempotencyKeyReused();
  const keyed = event.idempotencyKey === undefined ? 0 : 1;
  logWriteCost(meter, outcome.duplicate ? 0 : 1, context.caller.tenantId, keyed);
  logger.debug('event_accepted', {
    eventId: outcome.body.event_id,
    duplicate: outcome.duplicate,
    format: event.format,
  });
  return { result: outcome.body, rateLimitHeaders: admission.headers };
}

/**
 * POST /events/batch: the request counts once against the rate limit; items beyond the monthly
 * quota are rejected one by one (`quota_exhausted`), the first ones kept; an item that could not be
 * stored is rejected alone (`internal_error`). Repeats of a key inside the batch answer as
 * duplicates of its first item. Results come in no particular order (each has its index).
 */
export async function publishBatch<R extends Omit<Rejection, 'code'> & { code: string }>(
  items: readonly BatchItem<R>[],
  context: PublishContext,
  ports: PublishingPorts = defaultPorts(),
): Promise<Published<BatchItemResult[]>> {
  const meter = createWriteMeter();
  const toStore = items.filter((item) => item.ok && item.duplicateOfIndex === undefined);
  const admission = await ports.limits.admit(context.caller, toStore.length, meter);

  const results = new Map<number, BatchItemResult>();
  const accepted = new Map<number, AcceptedEventBody>();
  for (const item of items) {
    if (!item.ok) results.set(item.index, rejectedItem(item.index, item.rejection));
  }
  let stored = 0;
  let keyed = 0;
  const admitted = toStore.slice(0, admission.allowedEvents);
  for (const { index } of toStore.slice(admission.allowedEvents)) {
    results.set(
      index,
      rejectedItem(index, { code: 'quota_exhausted', message: 'The monthly event quota is used up' }),
    );
  }
  const isStored = (index: number, body: AcceptedEventBody) => {
    accepted.set(index, body);
    results.set(index, acceptedItem(index, body));
  };
  const notStored = (index: number, error: unknown) => {
    logger.error('batch_item_failed', { index, error: error as Error });
    results.set(
      index,
      rejectedItem(index, { code: 'internal_error', message: 'The event could not be stored' }),
    );
  };
  // Events without a key need no dedup record: they go 25 to a write. Keyed ones, one by one.
  const storeUnkeyed = async () => {
    const unkeyed = admitted.flatMap((item) =>
      item.ok && item.event.idempotencyKey === undefined ? [item] : [],
    );
    if (unkeyed.length === 0) return;
    const events = unkeyed.map((item) => ingestedOf(item.event, context, ports));
    const outcomes = await ports.events.acceptMany(events, meter, context.correlationId);
    outcomes.forEach((outcome, i) => {
      const { index } = unkeyed[i]!;
      if (outcome.status === 'rejected') return notStored(index, outcome.reason);
      stored += 1;
      isStored(index, outcome.value.body);
    });
  };
  const queue = admitted.filter((item) => item.ok && item.event.idempotencyKey !== undefined);
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      if (!item.ok) continue;
      try {
        const outcome = await storeEvent(item.event, context, meter, ports);
        if (outcome.duplicate && !outcome.sameContent) {
          results.set(item.index, rejectedItem(item.index, IDEMPOTENCY_KEY_REUSED));
          continue;
        }
        if (!outcome.duplicate) {
          stored += 1;
          keyed += 1;
        }
        isStored(item.index, outcome.body);
      } catch (error) {
        notStored(item.index, error);
      }
    }
  };
  await Promise.all([storeUnkeyed(), ...Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker)]);

  for (const item of items) {
    if (!item.ok || item.duplicateOfIndex === undefined) continue;
    const first = accepted.get(item.duplicateOfIndex);
    results.set(
      item.index,
      first
        ? acceptedItem(item.index, { ...first, duplicate: true })
        : rejectedItem(item.index, {
            code: 'duplicate_of_rejected',
            message: `Same idempotency key as item ${item.duplicateOfIndex}, which was not accepted`,
          }),
    );
  }

  logWriteCost(meter, stored, context.caller.tenantId, keyed);
  return { result: [...results.values()], rateLimitHeaders: admission.headers };
}
