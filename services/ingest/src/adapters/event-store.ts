/**
 * The write side of the events table (layout in ./README.md): one accepted event is one item, put
 * with `attribute_not_exists(#pk)`; with an idempotency key, the event and its dedup record are put
 * in ONE TransactWriteItems, the record conditioned on no live record for (tenant, key). Concurrent
 * retries with the same key therefore create exactly one event: the losers' transactions are
 * cancelled, and they answer with the winner's event (`duplicate: true`).
 *
 * The event item is also the outbox: the table's stream turns each new event item into EventReceived
 * (`eventReceivedOf`, published by src/app/outbox.ts), so nothing after the 202 can fail to announce it.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BatchWriteCommandOutput } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { EventReceived } from '@switchyard/contracts';
import { cancellationReasons, dynamoDbDocumentClient, logger } from '@switchyard/runtime';
import type { EventReceivedEnvelope } from '../domain/claim-check';
import type { AcceptedEventBody, EventAttributes, EventFormat, IngestedEvent } from '../domain/events';
import { acceptedBody } from '../domain/events';
import type { IdempotencyRecord } from '../domain/idempotency';
import {
  decideOnConflict,
  idempotencyPutCondition,
  idempotencyRecordKey,
  newIdempotencyRecord,
  staleOverwriteCondition,
} from '../domain/idempotency';
import type { DeliveryState, InboxEvent } from '../domain/inbox';
import { inboxSortKey } from '../domain/inbox';
import type { WriteCondition } from '../domain/write-condition';
import { config } from '../config';
import type { WriteMeter } from './write-meter';

// ---------------------------------------------------------------------------------------------------
// Item layout (shared with the read path: use these, never retype the prefixes)

export const EVENT_SK_PREFIX = 'EVENT#';
export const IDEM_SK_PREFIX = 'IDEM#';
export const tenantPk = (tenantId: string) => `TENANT#${tenantId}`;
export const eventItemKey = (tenantId: string, eventId: string) => ({
  pk: tenantPk(tenantId),
  sk: `${EVENT_SK_PREFIX}${eventId}`,
});
export const inboxPk = (tenantId: string) => `INBOX#${tenantId}`;

/** The dedup record's key: the domain's `idem#<sha256>` becomes the sort key under the tenant. */
export function idempotencyItemKey(tenantId: string, idempotencyKey: string) {
  const recordKey = idempotencyRecordKey(tenantId, idempotencyKey);
  return { pk: tenantPk(tenantId), sk: `${IDEM_SK_PREFIX}${recordKey.slice('idem#'.length)}` };
}

/** An event as stored. The payload is kept as its compact JSON text (exact bytes, no map limits). */
export interface EventItem extends DeliveryState {
  pk: string;
  sk: string;
  kind: 'event';
  tenantId: string;
  eventId: string;
  eventType: string;
  source: string;
  format: EventFormat;
  receivedAt: string;
  payloadJson: string;
  attributes?: EventAttributes;
  idempotencyKey?: string;
  apiKeyId?: string;
  /** Of the request that published it; EventReceived carries it on. */
  correlationId?: string;
  /** Present while undelivered (sparse index gsi1): removed by the first acknowledgement. */
  gsi1pk?: string;
  gsi1sk?: string;
}

export interface IdempotencyItem extends Omit<IdempotencyRecord, 'pk'> {
  pk: string;
  sk: string;
  kind: 'idempotency';
  /** The domain's record key (`idem#<sha256>`). */
  recordKey: string;
  /** The table's TTL attribute (same value as `expiresAt`, which the write condition reads). */
  expiresAtEpoch: number;
}

export function toEventItem(event: IngestedEvent, correlationId?: string): EventItem {
  return {
    ...eventItemKey(event.tenantId, event.eventId),
    kind: 'event',
    tenantId: event.tenantId,
    eventId: event.eventId,
    eventType: event.eventType,
    source: event.source,
    format: event.format,
    receivedAt: event.receivedAt,
    payloadJson: JSON.stringify(event.payload),
    ...(Object.keys(event.attributes).length > 0 ? { attributes: event.attributes } : {}),
    ...(event.idempotencyKey === undefined ? {} : { idempotencyKey: event.idempotencyKey }),
    ...(event.apiKeyId === undefined ? {} : { apiKeyId: event.apiKeyId }),
    ...(correlationId === undefined ? {} : { correlationId }),
    gsi1pk: inboxPk(event.tenantId),
    gsi1sk: inboxSortKey(event),
  };
}

/** True for event items (not dedup records, not anything added later). */
export function isEventItem(
  item: Record<string, unknown> | undefined,
): item is Record<string, unknown> & EventItem {
  return (
    item !== undefined &&
    typeof item.sk === 'string' &&
    item.sk.startsWith(EVENT_SK_PREFIX) &&
    item.kind === 'event'
  );
}

/** The payload of a stored event (throws on a corrupt item: a bug, never a client error). */
function storedPayload(item: EventItem): Record<string, unknown> {
  return JSON.parse(item.payloadJson) as Record<string, unknown>;
}

/** A stored item back to the domain's event (with its delivery state). */
export function fromEventItem(item: EventItem): InboxEvent {
  return {
    format: item.format,
    eventType: item.eventType,
    payload: storedPayload(item),
    source: item.source,
    ...(item.idempotencyKey === undefined ? {} : { idempotencyKey: item.idempotencyKey }),
    attributes: item.attributes ?? {},
    tenantId: item.tenantId,
    eventId: item.eventId,
    receivedAt: item.receivedAt,
    ...(item.apiKeyId === undefined ? {} : { apiKeyId: item.apiKeyId }),
    ...(item.acknowledgedAt === undefined ? {} : { acknowledgedAt: item.acknowledgedAt }),
    ...(item.leaseUntil === undefined ? {} : { leaseUntil: item.leaseUntil }),
    ...(item.leaseToken === undefined ? {} : { leaseToken: item.leaseToken }),
  };
}

/** The correlation id an event's announcements carry: its request's, else the event id. */
export function correlationIdOf(item: Pick<EventItem, 'correlationId' | 'eventId'>): string {
  return item.correlationId ?? item.eventId;
}

/** EventReceived for a stored event item, payload not yet placed. */
export function envelopeOf(item: EventItem): EventReceivedEnvelope {
  return {
    version: EventReceived.version,
    id: item.eventId,
    time: item.receivedAt,
    tenantId: item.tenantId,
    correlationId: correlationIdOf(item),
    eventId: item.eventId,
    eventType: item.eventType,
    source: item.source,
    receivedAt: item.receivedAt,
    ...(item.idempotencyKey === undefined ? {} : { idempotencyKey: item.idempotencyKey }),
    ...(item.apiKeyId === undefined ? {} : { apiKeyId: item.apiKeyId }),
  } as EventReceivedEnvelope;
}

/**
 * What a new image of the table announces on the bus: for an event item, its EventReceived envelope
 * and its payload (the claim check decides where the payload goes); undefined for anything else
 * (dedup records). Throws on a corrupt item, so its stream record fails.
 */
export function eventReceivedOf(
  image: Record<string, unknown> | undefined,
): { envelope: EventReceivedEnvelope; payload: Record<string, unknown>; correlationId: string } | undefined {
  if (!isEventItem(image)) return undefined;
  return {
    envelope: envelopeOf(image),
    payload: storedPayload(image),
    correlationId: correlationIdOf(image),
  };
}

function toIdempotencyItem(
  record: IdempotencyRecord,
  tenantId: string,
  idempotencyKey: string,
): IdempotencyItem {
  const { pk: recordKey, ...rest } = record;
  return {
    ...rest,
    ...idempotencyItemKey(tenantId, idempotencyKey),
    kind: 'idempotency',
    recordKey,
    expiresAtEpoch: record.expiresAt,
  };
}

function toIdempotencyRecord(item: Record<string, unknown>): IdempotencyRecord {
  const { pk: _pk, sk: _sk, kind: _kind, recordKey, expiresAtEpoch: _ttl, ...rest } = item;
  return { ...(rest as Omit<IdempotencyRecord, 'pk'>), pk: String(recordKey) };
}

// ---------------------------------------------------------------------------------------------------
// Ids

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID: 10 characters of millisecond time, then 16 random ones; sorts by arrival. */
export function newEventId(now: Date, random: (n: number) => Buffer = randomBytes): string {
  let ms = now.getTime();
  let time = '';
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[ms % 32] + time;
    ms = Math.floor(ms / 32);
  }
  const bytes = random(10);
  let bits = 0;
  let value = 0;
  let rest = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      rest += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return time + rest.slice(0, 16);
}

// ---------------------------------------------------------------------------------------------------
// Writes

export type StoreOutcome =
  | { duplicate: false; body: AcceptedEventBody }
  | { duplicate: true; body: AcceptedEventBody; sameContent: boolean };

/** Attempts of the dedup transaction when DynamoDB reports a conflicting transaction in flight. */
const MAX_TRANSACTION_ATTEMPTS = 8;

export interface EventStore {
  /** Stores a new event (and its dedup record when it has a key); a live key answers the original. */
  accept(event: IngestedEvent, meter: WriteMeter, correlationId?: string): Promise<StoreOutcome>;
  /**
   * Stores new events without idempotency keys, 25 to a BatchWriteItem: each one's outcome, in
   * order (rejected: it could not be stored).
   */
  acceptMany(
    events: readonly IngestedEvent[],
    meter: WriteMeter,
    correlationId?: string,
  ): Promise<PromiseSettledResult<StoreOutcome>[]>;
}

/** BatchWriteItem's limit. */
const BATCH_WRITE_ITEMS = 25;
/** Rounds of one BatchWriteItem's unprocessed items (with backoff) before they count as not stored. */
const BATCH_WRITE_ROUNDS = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createEventStore(
  client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
  tableName: () => string = () => config().EVENTS_TABLE,
  now: () => Date = () => new Date(),
): EventStore {
  async function putEventOnly(
    event: IngestedEvent,
    meter: WriteMeter,
    correlationId?: string,
  ): Promise<StoreOutcome> {
    const result = await client.send(
      new PutCommand({
        TableName: tableName(),
        Item: toEventItem(event, correlationId),
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ReturnConsumedCapacity: 'TOTAL',
      }),
    );
    meter.add(1, result.ConsumedCapacity);
    return { duplicate: false, body: acceptedBody(event, false) };
  }

  /**
   * Up to 25 events in one BatchWriteItem, unprocessed items written again with backoff. Unlike the
   * single put, the write has no condition: the ids are new ULIDs this instance just made (80 random
   * bits each), so no item with the same key can exist, and none is ever overwritten.
   */
  async function putChunk(
    events: readonly IngestedEvent[],
    meter: WriteMeter,
    correlationId?: string,
  ): Promise<PromiseSettledResult<StoreOutcome>[]> {
    const table = tableName();
    const keyOf = (item: { pk?: unknown; sk?: unknown }) => `${String(item.pk)}\u0000${String(item.sk)}`;
    const items = events.map((event) => toEventItem(event, correlationId));
    let pending = items;
    let failure: unknown = new Error('DynamoDB left the items unprocessed');
    for (let round = 0; round < BATCH_WRITE_ROUNDS && pending.length > 0; round++) {
      if (round > 0) await sleep(Math.min(1000, 25 * 2 ** round) * (0.5 + Math.random() / 2));
      let result: BatchWriteCommandOutput;
      try {
        result = await client.send(
          new BatchWriteCommand({
            RequestItems: { [table]: pending.map((item) => ({ PutRequest: { Item: item } })) },
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
      } catch (error) {
        failure = error;
        break;
      }
      meter.add(pending.length, result.ConsumedCapacity);
      const left = new Set(
        (result.UnprocessedItems?.[table] ?? []).flatMap((r) =>
          r.PutRequest?.Item ? [keyOf(r.PutRequest.Item)] : [],
        ),
      );
      pending = pending.filter((item) => left.has(keyOf(item)));
    }
    const notStored = new Set(pending);
    return events.map((event, index) =>
      notStored.has(items[index]!)
        ? { status: 'rejected', reason: failure }
        : { status: 'fulfilled', value: { duplicate: false, body: acceptedBody(event, false) } },
    );
  }

  async function readRecord(tenantId: string, key: string): Promise<IdempotencyRecord | undefined> {
    const result = await client.send(
      new GetCommand({
        TableName: tableName(),
        Key: idempotencyItemKey(tenantId, key),
        ConsistentRead: true,
      }),
    );
    return result.Item ? toIdempotencyRecord(result.Item) : undefined;
  }

  async function putWithKey(
    event: IngestedEvent,
    key: string,
    meter: WriteMeter,
    correlationId?: string,
  ): Promise<StoreOutcome> {
    const record = newIdempotencyRecord(event) as IdempotencyRecord;
    let condition: WriteCondition = idempotencyPutCondition(now());
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName(),
                  Item: toEventItem(event, correlationId),
                  ConditionExpression: 'attribute_not_exists(#pk)',
                  ExpressionAttributeNames: { '#pk': 'pk' },
                },
              },
              {
                Put: {
                  TableName: tableName(),
                  Item: toIdempotencyItem(record, event.tenantId, key),
                  ...condition,
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
            ],
            ReturnConsumedCapacity: 'TOTAL',
          }),
        );
        meter.add(2, result.ConsumedCapacity);
        return { duplicate: false, body: acceptedBody(event, false) };
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (reasons === undefined) throw error;
        // A cancelled transaction writes nothing; it is not counted as writes.
        const dedup = reasons[1];
        if (dedup?.Code === 'ConditionalCheckFailed') {
          const returned = dedup.Item
            ? toIdempotencyRecord(unmarshall(dedup.Item as Record<string, AttributeValue>))
            : await readRecord(event.tenantId, key);
          const decision = decideOnConflict(returned, event, now());
          if (decision.outcome === 'duplicate') {
            if (!decision.sameContent)
              logger.info('idempotency_key_reused_with_other_content', { eventId: decision.body.event_id });
            return { duplicate: true, body: decision.body, sameContent: decision.sameContent };
          }
          condition =
            decision.outcome === 'new'
              ? staleOverwriteCondition(decision.staleEventId)
              : idempotencyPutCondition(now());
        } else if (
          !reasons.some((r) => r.Code === 'TransactionConflict' || r.Code === 'ConditionalCheckFailed')
        ) {
          throw error;
        }
        if (attempt >= MAX_TRANSACTION_ATTEMPTS) throw error;
        // Another request with the same key is mid-transaction: let it finish, then look again.
        await sleep(Math.random() * 20 * attempt);
      }
    }
  }

  return {
    accept(event, meter, correlationId) {
      return event.idempotencyKey === undefined
        ? putEventOnly(event, meter, correlationId)
        : putWithKey(event, event.idempotencyKey, meter, correlationId);
    },
    async acceptMany(events, meter, correlationId) {
      const chunks: IngestedEvent[][] = [];
      for (let i = 0; i < events.length; i += BATCH_WRITE_ITEMS) {
        chunks.push(events.slice(i, i + BATCH_WRITE_ITEMS));
      }
      const settled = await Promise.all(chunks.map((chunk) => putChunk(chunk, meter, correlationId)));
      return settled.flat();
    },
  };
}

let store: EventStore | undefined;
export function eventStore(): EventStore {
  store ??= createEventStore();
  return store;
}
