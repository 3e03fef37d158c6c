/**
 * The write path shared by POST /events and POST /events/batch, between the thin handlers and the
 * adapters: size check, authentication, limits, storage, and the per-request write-cost log line.
 */
import { HttpError } from '@switchyard/runtime';
import type { IngestedEvent, PublishedEvent, RequestRejection } from '../domain/events';
import { checkContentLength, newIngestedEvent, requestBodyLength } from '../domain/events';
import type { EventStore, StoreOutcome } from './event-store';
import { newEventId } from './event-store';
import type { WriteMeter } from './write-meter';

/** The part of the runtime's logger used here. */
interface Logger {
  info(message: string, extra: Record<string, unknown>): void;
}

/** A domain rejection as the runtime's HttpError (one error shape, field-level details). */
export function rejectionError(rejection: RequestRejection): HttpError {
  return new HttpError(rejection.status, rejection.code, rejection.message, { details: rejection.details });
}

/** 413 (or 400 for a malformed Content-Length) from sizes alone, before anything parses the body. */
export function assertSize(
  event: { headers?: Record<string, string | undefined>; body?: string; isBase64Encoded?: boolean },
  limit: number,
): void {
  const checked = checkContentLength(
    event.headers ?? {},
    requestBodyLength({
      headers: event.headers ?? {},
      body: event.body ?? null,
      isBase64Encoded: event.isBase64Encoded ?? false,
    }),
    limit,
  );
  if (!checked.ok) throw rejectionError(checked.rejection);
}

/** Stores one published event for the caller; the event id is a new ULID. */
export function storeEvent(
  store: EventStore,
  published: PublishedEvent,
  caller: { tenantId: string; keyId: string },
  meter: WriteMeter,
  correlationId: string,
  now: Date = new Date(),
): Promise<StoreOutcome & { event: IngestedEvent }> {
  const event = newIngestedEvent(published, {
    tenantId: caller.tenantId,
    eventId: newEventId(now),
    now,
    apiKeyId: caller.keyId,
  });
  return store.accept(event, meter, correlationId).then((outcome) => ({ ...outcome, event }));
}

/**
 * One info line per request with what it cost in DynamoDB writes: `dynamodbWrites` (items written)
 * and `dynamodbWriteUnits` (ConsumedCapacity, TOTAL). Never the payload or the key.
 */
export function logWriteCost(
  logger: Logger,
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
