/**
 * The read side of the events table for the pull API (item layout in ./event-store.ts, rules in
 * ../domain/inbox.ts):
 *
 *  - GET /inbox queries the sparse index gsi1 (`gsi1pk INBOX#<tenant>`, `gsi1sk <receivedAt>#<eventId>`),
 *    which holds exactly the undelivered events, oldest first; leased events are still in it and are
 *    skipped by the domain's page planning;
 *  - leases are conditional UpdateItems (not acknowledged, not leased by someone else now);
 *  - an acknowledgement sets `acknowledgedAt` and REMOVEs `gsi1pk`/`gsi1sk` (the event leaves the index)
 *    with `attribute_not_exists(#acknowledgedAt)`, so a repeat writes nothing;
 *  - pagination cursors are signed with a secret kept in the state table (`SECRET#cursor`), created on
 *    first use by a conditional put (the first writer wins, everyone reads the same value).
 *
 * EventAcknowledged is not published here: the acknowledgement's UpdateItem is the outbox record. The
 * table's stream carries it as a MODIFY whose old image has no `acknowledgedAt` and whose new image has
 * one, and the stream publisher (src/app/outbox.ts) publishes what `eventAcknowledgedOf` makes of it.
 * So an acknowledgement is announced if and only if it committed, and exactly one MODIFY per event has
 * that transition (the condition makes a repeat a no-op).
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EventAcknowledged } from '@switchyard/contracts';
import {
  conditionalWrite,
  decodeCursor,
  dynamoDbDocumentClient,
  encodeCursor,
  InvalidCursorError,
  tableCursorSecret,
} from '@switchyard/runtime';
import type { PublishInput } from '@switchyard/runtime';
import { config } from '../config';
import type { AckDecision, InboxCursor, InboxEvent, ReleaseDecision } from '../domain/inbox';
import {
  decideAck,
  decideRelease,
  inboxCursorScope,
  inboxSortKey,
  leaseCondition,
  leaseFor,
  parseInboxCursor,
  planInboxPage,
} from '../domain/inbox';
import type { EventItem } from './event-store';
import { correlationIdOf, eventItemKey, fromEventItem, inboxPk, isEventItem } from './event-store';

/** Most index items one listing examines (leased ones included) before answering with what it has. */
export const MAX_EXAMINED_PER_LISTING = 1000;
/** Leases taken at once per listing. */
const LEASE_CONCURRENCY = 16;

export interface InboxPageResult {
  events: InboxEvent[];
  nextCursor: string | null;
  hasMore: boolean;
}

export interface Clock {
  now: () => Date;
}

export function newLeaseToken(): string {
  return randomBytes(18).toString('base64url');
}

export interface Acknowledgement {
  tenantId: string;
  eventId: string;
  acknowledgedAt: string;
  apiKeyId?: string;
}

/** What the stream publisher needs to announce an acknowledgement, or undefined for any other change. */
export function acknowledgementFromImages(
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown> | undefined,
): Acknowledgement | undefined {
  if (!isEventItem(newImage) || typeof newImage.acknowledgedAt !== 'string') return undefined;
  if (oldImage && typeof oldImage.acknowledgedAt === 'string') return undefined;
  const by = newImage.acknowledgedBy;
  return {
    tenantId: newImage.tenantId,
    eventId: newImage.eventId,
    acknowledgedAt: newImage.acknowledgedAt,
    ...(typeof by === 'string' ? { apiKeyId: by } : {}),
  };
}

/** EventAcknowledged for an ack; its id is derived from the event's, so a retry repeats it. */
export function acknowledgementMessage(
  ack: Acknowledgement,
  correlationId: string,
): PublishInput<typeof EventAcknowledged> & { id: string } {
  return {
    id: `${ack.eventId}.ack`,
    tenantId: ack.tenantId,
    correlationId,
    eventId: ack.eventId,
    acknowledgedAt: ack.acknowledgedAt,
    ...(ack.apiKeyId === undefined ? {} : { apiKeyId: ack.apiKeyId }),
  };
}

/**
 * What a MODIFY of the events table announces on the bus: the EventAcknowledged of the change that
 * acknowledged an event, undefined for any other change (leases, releases, repeats).
 */
export function eventAcknowledgedOf(
  oldImage: Record<string, unknown> | undefined,
  newImage: Record<string, unknown> | undefined,
): { message: PublishInput<typeof EventAcknowledged> & { id: string }; correlationId: string } | undefined {
  const ack = acknowledgementFromImages(oldImage, newImage);
  if (!ack || !isEventItem(newImage)) return undefined;
  const correlationId = correlationIdOf(newImage);
  return { message: acknowledgementMessage(ack, correlationId), correlationId };
}

export class InboxStore {
  /** The secret signing inbox cursors, in the state table (`SECRET#cursor`); created on first use, cached. */
  readonly cursorSecret = tableCursorSecret({
    client: () => this.client,
    tableName: () => this.tables().state,
    attributes: { kind: 'secret' },
    now: () => this.clock.now(),
  });

  constructor(
    private readonly client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
    private readonly tables: () => { events: string; state: string } = () => ({
      events: config().EVENTS_TABLE,
      state: config().STATE_TABLE,
    }),
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  // -------------------------------------------------------------------------------------------------
  // Cursors

  async encodeInboxCursor(tenantId: string, cursor: InboxCursor): Promise<string> {
    return encodeCursor(cursor, await this.cursorSecret(), { scope: inboxCursorScope(tenantId) });
  }

  /** A signed cursor back to its position; anything malformed, tampered or foreign is a 400. */
  async decodeInboxCursor(tenantId: string, cursor: string): Promise<InboxCursor> {
    const payload = decodeCursor(cursor, await this.cursorSecret(), { scope: inboxCursorScope(tenantId) });
    const parsed = parseInboxCursor(payload);
    if (!parsed) throw new InvalidCursorError('payload is not an inbox position');
    return parsed;
  }

  // -------------------------------------------------------------------------------------------------
  // Reads

  async getEvent(tenantId: string, eventId: string): Promise<InboxEvent | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.tables().events,
        Key: eventItemKey(tenantId, eventId),
        ConsistentRead: true,
      }),
    );
    if (!isEventItem(Item)) return undefined;
    const event = fromEventItem(Item);
    // The key already scopes the tenant; this guards against a corrupt item all the same.
    return event.tenantId === tenantId ? event : undefined;
  }

  /**
   * One page of the tenant's undelivered, unleased events after `cursor`, oldest first. With
   * `leaseSeconds`, each returned event is leased first; one a concurrent listing leased in between
   * is dropped from this page (it belongs to the other consumer now).
   */
  async listInbox(
    tenantId: string,
    options: { limit: number; cursor?: InboxCursor; leaseSeconds?: number },
  ): Promise<InboxPageResult> {
    const now = this.clock.now();
    const candidates: InboxEvent[] = [];
    let visible = 0;
    let startKey: Record<string, unknown> | undefined;
    let exhausted = false;
    const after = options.cursor ? inboxSortKey(options.cursor.after) : undefined;
    // Read until limit + 1 visible (to know whether more follow), the end, or the examination bound.
    while (visible <= options.limit && candidates.length < MAX_EXAMINED_PER_LISTING) {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tables().events,
          IndexName: 'gsi1',
          KeyConditionExpression: after ? '#gsi1pk = :pk AND #gsi1sk > :after' : '#gsi1pk = :pk',
          ExpressionAttributeNames: { '#gsi1pk': 'gsi1pk', ...(after ? { '#gsi1sk': 'gsi1sk' } : {}) },
          ExpressionAttributeValues: { ':pk': inboxPk(tenantId), ...(after ? { ':after': after } : {}) },
          Limit: Math.min(MAX_EXAMINED_PER_LISTING - candidates.length, options.limit + 1 - visible + 8),
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of result.Items ?? []) {
        if (!isEventItem(item)) continue;
        const event = fromEventItem(item as EventItem);
        candidates.push(event);
        if (
          event.acknowledgedAt === undefined &&
          (event.leaseUntil === undefined || event.leaseUntil <= now.getTime())
        ) {
          visible++;
        }
      }
      startKey = result.LastEvaluatedKey;
      if (!startKey) {
        exhausted = true;
        break;
      }
    }
    const plan = planInboxPage(candidates, { limit: options.limit, now, indexExhausted: exhausted });
    const events =
      options.leaseSeconds === undefined
        ? plan.events
        : await this.leaseAll(tenantId, plan.events, options.leaseSeconds, now);
    return {
      events,
      hasMore: plan.hasMore,
      nextCursor: plan.nextCursor ? await this.encodeInboxCursor(tenantId, plan.nextCursor) : null,
    };
  }

  // -------------------------------------------------------------------------------------------------
  // Writes

  private async leaseAll(
    tenantId: string,
    events: InboxEvent[],
    seconds: number,
    now: Date,
  ): Promise<InboxEvent[]> {
    const leased: (InboxEvent | undefined)[] = new Array(events.length);
    let next = 0;
    const worker = async () => {
      while (next < events.length) {
        const index = next++;
        leased[index] = await this.lease(tenantId, events[index] as InboxEvent, seconds, now);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LEASE_CONCURRENCY, events.length) }, worker));
    return leased.filter((event): event is InboxEvent => event !== undefined);
  }

  /** The leased event, or undefined when someone else leased (or acknowledged) it first. */
  private async lease(
    tenantId: string,
    event: InboxEvent,
    seconds: number,
    now: Date,
  ): Promise<InboxEvent | undefined> {
    const lease = leaseFor(now, seconds, newLeaseToken());
    const condition = leaseCondition(now);
    const leased = await conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.tables().events,
          Key: eventItemKey(tenantId, event.eventId),
          UpdateExpression: 'SET #leaseUntil = :leaseUntil, #leaseToken = :leaseToken',
          ConditionExpression: `attribute_exists(#pk) AND ${condition.ConditionExpression}`,
          ExpressionAttributeNames: {
            ...condition.ExpressionAttributeNames,
            '#pk': 'pk',
            '#leaseToken': 'leaseToken',
          },
          ExpressionAttributeValues: {
            ...condition.ExpressionAttributeValues,
            ':leaseUntil': lease.leaseUntil,
            ':leaseToken': lease.leaseToken,
          },
        }),
      ),
    );
    return leased ? { ...event, ...lease } : undefined;
  }

  /**
   * Decides on the event as stored and writes what the decision asks for; when the write's condition
   * fails, a concurrent request changed the event in between, so it decides again on what that wrote.
   */
  private async decideAndWrite<D extends { outcome: string }>(
    what: string,
    decide: (event: InboxEvent | undefined) => D,
    write: (decision: D) => UpdateCommand | undefined,
    tenantId: string,
    eventId: string,
  ): Promise<D> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const decision = decide(await this.getEvent(tenantId, eventId));
      const update = write(decision);
      if (!update || (await conditionalWrite(this.client.send(update)))) return decision;
    }
    throw new Error(`${what} kept conflicting`);
  }

  /**
   * DELETE /events/{id}: the first acknowledgement removes the event from the inbox index and ends any
   * lease; a repeat (or the loser of two concurrent ones) is `already_acknowledged`, also a 204.
   */
  async acknowledge(tenantId: string, eventId: string, keyId: string): Promise<AckDecision> {
    return this.decideAndWrite(
      'acknowledgement',
      (event) => decideAck(event, tenantId, this.clock.now()),
      (decision) =>
        decision.outcome !== 'acknowledge'
          ? undefined
          : new UpdateCommand({
              TableName: this.tables().events,
              Key: eventItemKey(tenantId, eventId),
              UpdateExpression:
                'SET #acknowledgedAt = :at, #acknowledgedBy = :by, #expiresAtEpoch = :expires REMOVE #gsi1pk, #gsi1sk, #leaseUntil, #leaseToken',
              ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#acknowledgedAt)',
              ExpressionAttributeNames: {
                '#pk': 'pk',
                '#acknowledgedAt': 'acknowledgedAt',
                '#acknowledgedBy': 'acknowledgedBy',
                '#expiresAtEpoch': 'expiresAtEpoch',
                '#gsi1pk': 'gsi1pk',
                '#gsi1sk': 'gsi1sk',
                '#leaseUntil': 'leaseUntil',
                '#leaseToken': 'leaseToken',
              },
              ExpressionAttributeValues: {
                ':at': decision.acknowledgedAt,
                ':by': keyId,
                ':expires': decision.expiresAtEpoch,
              },
            }),
      tenantId,
      eventId,
    );
  }

  /** POST /events/{id}/release: clears the lease if `token` still holds it. */
  async release(tenantId: string, eventId: string, token: string): Promise<ReleaseDecision> {
    return this.decideAndWrite(
      'release',
      (event) => decideRelease(event, tenantId, token, this.clock.now()),
      (decision) =>
        decision.outcome !== 'release'
          ? undefined
          : new UpdateCommand({
              TableName: this.tables().events,
              Key: eventItemKey(tenantId, eventId),
              UpdateExpression: 'REMOVE #leaseUntil, #leaseToken',
              ConditionExpression: 'attribute_not_exists(#acknowledgedAt) AND #leaseToken = :token',
              ExpressionAttributeNames: {
                '#acknowledgedAt': 'acknowledgedAt',
                '#leaseUntil': 'leaseUntil',
                '#leaseToken': 'leaseToken',
              },
              ExpressionAttributeValues: { ':token': token },
            }),
      tenantId,
      eventId,
    );
  }

  // -------------------------------------------------------------------------------------------------
  // Health

  /** A cheap read of each table (a key that never exists): true when DynamoDB answers. */
  async ping(): Promise<{ ok: true } | { ok: false; error: unknown }> {
    const key = { pk: 'STATUS#probe', sk: 'STATUS' };
    try {
      const { events, state } = this.tables();
      await Promise.all([
        this.client.send(new GetCommand({ TableName: events, Key: key })),
        this.client.send(new GetCommand({ TableName: state, Key: key })),
      ]);
      return { ok: true };
    } catch (error) {
      return { ok: false, error };
    }
  }
}

let shared: InboxStore | undefined;

/** The store of this container. */
export function inboxStore(): InboxStore {
  shared ??= new InboxStore();
  return shared;
}
