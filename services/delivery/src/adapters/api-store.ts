/**
 * What delivery's API reads and writes in the delivery table (keys and items: ./delivery-table.ts):
 *
 * - subscriptions (`TENANT#<tenantId>` / `SUB#<subscriptionId>`): created by a Put conditioned on
 *   `attribute_not_exists(pk)`, afterwards changed only by UpdateItems of the attributes concerned
 *   (the engine writes the health attributes of the same item), deleted by a conditional Delete.
 *   Messages still waiting for a deleted subscription are cancelled by the engine when their turn
 *   comes (it finds the subscription gone and marks the message `cancelled`);
 * - secret rotation: read, rotate (domain), write the new list conditioned on the list read, so two
 *   rotations at once cannot lose a secret;
 * - attempts of a subscription: the `bySubscription` index (`SUB#<id>`, `ATT#<attemptedAt>#…`),
 *   newest first; an event's deliveries: one Query of `EVENT#<tenantId>#<eventId>` (event copy,
 *   messages, attempts), so another tenant's event is simply not there;
 * - recovery: the subscription's messages (`MSG#<createdAt>#…` on the same index) since a time,
 *   filtered to failed / exhausted / held;
 * - cursors are signed with a secret kept in this table (`SECRET#cursor`), created on first use by
 *   a conditional put (the first writer wins, everyone reads the same value), and scoped to the
 *   tenant and the listing, so a cursor cannot be replayed elsewhere.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  conditionalWrite,
  decodeCursor,
  dynamoDbDocumentClient,
  encodeCursor,
  InvalidCursorError,
  isConditionFailure,
  queryAll,
  tableCursorSecret,
} from '@switchyard/runtime';
import { apiConfig } from '../api-config';
import {
  ATTEMPT_GSI_SK_PREFIX,
  BY_SUBSCRIPTION_INDEX,
  eventPartitionItemKind,
  eventPk,
  fromItem,
  ITEM_KINDS,
  messageKey,
  messagesCreatedSince,
  SUBSCRIPTION_SK_PREFIX,
  subscriptionGsiPk,
  subscriptionItem,
  subscriptionKey,
  tenantPk,
} from './delivery-table';
import type {
  DeliveryAttempt,
  SigningSecret,
  StoredEvent,
  Subscription,
  WebhookMessage,
} from '../domain/model';
import type { SubscriptionChanges } from '../domain/subscriptions';
import { RECOVERABLE_STATUSES, rotateSecrets } from '../domain/subscriptions';

/** Attempts of the optimistic secret rotation before giving up (a 500: someone is hammering it). */
const MAX_ROTATION_ATTEMPTS = 5;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  hasMore: boolean;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

/** Where a cursor of each listing is valid: the tenant and the listing (and its subscription). */
export const cursorScopes = {
  subscriptions: (tenantId: string) => `${tenantId}:subscriptions`,
  attempts: (tenantId: string, subscriptionId: string) => `${tenantId}:attempts:${subscriptionId}`,
  recover: (tenantId: string, subscriptionId: string, since: string) =>
    `${tenantId}:recover:${subscriptionId}:${since}`,
};

export class ApiStore {
  /** The secret signing this table's cursors (`SECRET#cursor`), created on first use, cached. */
  readonly cursorSecret = tableCursorSecret({
    client: () => this.client,
    tableName: () => this.table(),
    attributes: { kind: ITEM_KINDS.cursorSecret },
  });

  constructor(
    private readonly client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
    private readonly table: () => string = () => apiConfig().DELIVERY_TABLE,
  ) {}

  // -------------------------------------------------------------------------------------------------
  // Subscriptions

  /** Stores a new subscription; its id is fresh, so the condition only guards against a bug. */
  async createSubscription(subscription: Subscription): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.table(),
        Item: subscriptionItem(subscription),
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': 'pk' },
      }),
    );
  }

  async getSubscription(tenantId: string, subscriptionId: string): Promise<Subscription | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table(),
        Key: subscriptionKey(tenantId, subscriptionId),
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem<Subscription>(Item) : undefined;
  }

  /** The tenant's subscriptions, oldest first (ids are ULIDs). */
  async listSubscriptions(tenantId: string, page: PageRequest): Promise<Page<Subscription>> {
    const scope = cursorScopes.subscriptions(tenantId);
    const start = page.cursor ? await this.decode(page.cursor, scope, ['pk', 'sk']) : undefined;
    if (start && start.pk !== tenantPk(tenantId)) throw new InvalidCursorError('foreign partition');
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table(),
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sub)',
        ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
        ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':sub': SUBSCRIPTION_SK_PREFIX },
        Limit: page.limit + 1,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    return this.page(Items, page.limit, scope, ['pk', 'sk'], (item) => fromItem<Subscription>(item));
  }

  /** Applies `changes` with one UpdateItem; undefined when the subscription does not exist. */
  async updateSubscription(
    tenantId: string,
    subscriptionId: string,
    changes: SubscriptionChanges,
  ): Promise<Subscription | undefined> {
    const names: Record<string, string> = { '#pk': 'pk' };
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    for (const [name, value] of Object.entries(changes.set)) {
      if (value === undefined) continue;
      names[`#${name}`] = name;
      values[`:${name}`] = value;
      sets.push(`#${name} = :${name}`);
    }
    const removes = changes.remove.map((name) => {
      names[`#${name}`] = name;
      return `#${name}`;
    });
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table(),
          Key: subscriptionKey(tenantId, subscriptionId),
          UpdateExpression: [
            sets.length > 0 ? `SET ${sets.join(', ')}` : '',
            removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' '),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? fromItem<Subscription>(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Deletes the subscription; false when there was none. */
  async deleteSubscription(tenantId: string, subscriptionId: string): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new DeleteCommand({
          TableName: this.table(),
          Key: subscriptionKey(tenantId, subscriptionId),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
        }),
      ),
    );
  }

  /**
   * Puts `secret` first and lets the previous secrets sign for 24 h (domain `rotateSecrets`). The
   * write is conditioned on the list read, so concurrent rotations retry on each other's result
   * instead of losing a secret. Undefined when the subscription does not exist.
   */
  async rotateSecret(
    tenantId: string,
    subscriptionId: string,
    secret: string,
    now: Date,
  ): Promise<SigningSecret[] | undefined> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.getSubscription(tenantId, subscriptionId);
      if (!current) return undefined;
      const secrets = rotateSecrets(current.secrets, secret, now);
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.table(),
            Key: subscriptionKey(tenantId, subscriptionId),
            UpdateExpression: 'SET #secrets = :secrets, #updatedAt = :updatedAt',
            ConditionExpression: 'attribute_exists(#pk) AND #secrets = :read',
            ExpressionAttributeNames: { '#pk': 'pk', '#secrets': 'secrets', '#updatedAt': 'updatedAt' },
            ExpressionAttributeValues: {
              ':secrets': secrets,
              ':read': current.secrets,
              ':updatedAt': now.toISOString(),
            },
          }),
        );
        return secrets;
      } catch (error) {
        if (!isConditionFailure(error) || attempt >= MAX_ROTATION_ATTEMPTS) throw error;
      }
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Attempts, messages, events

  /** The subscription's attempts, newest first. */
  async listAttempts(
    tenantId: string,
    subscriptionId: string,
    page: PageRequest,
  ): Promise<Page<DeliveryAttempt>> {
    const scope = cursorScopes.attempts(tenantId, subscriptionId);
    const keyNames = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];
    const start = page.cursor ? await this.decode(page.cursor, scope, keyNames) : undefined;
    if (start && start.gsi1pk !== subscriptionGsiPk(subscriptionId)) {
      throw new InvalidCursorError('foreign partition');
    }
    const { Items = [] } = await this.client.send(
      new QueryCommand({
        TableName: this.table(),
        IndexName: BY_SUBSCRIPTION_INDEX,
        KeyConditionExpression: '#gsi1pk = :gsi1pk AND begins_with(#gsi1sk, :att)',
        ExpressionAttributeNames: { '#gsi1pk': 'gsi1pk', '#gsi1sk': 'gsi1sk' },
        ExpressionAttributeValues: {
          ':gsi1pk': subscriptionGsiPk(subscriptionId),
          ':att': ATTEMPT_GSI_SK_PREFIX,
        },
        ScanIndexForward: false,
        Limit: page.limit + 1,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    // Subscription ids are unique, so every item is the tenant's; the filter is a second guard.
    const mine = Items.filter((item) => item.tenantId === tenantId);
    return this.page(mine, page.limit, scope, keyNames, (item) => fromItem<DeliveryAttempt>(item));
  }

  /** Everything delivery holds about one of the tenant's events. */
  async getEventDeliveries(
    tenantId: string,
    eventId: string,
  ): Promise<{ event?: StoredEvent; messages: WebhookMessage[]; attempts: DeliveryAttempt[] }> {
    const result: { event?: StoredEvent; messages: WebhookMessage[]; attempts: DeliveryAttempt[] } = {
      messages: [],
      attempts: [],
    };
    const items = await queryAll(this.client, {
      TableName: this.table(),
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': 'pk' },
      ExpressionAttributeValues: { ':pk': eventPk(tenantId, eventId) },
    });
    for (const item of items) {
      const kind = eventPartitionItemKind(String(item.sk));
      if (kind === 'event') result.event = fromItem<StoredEvent>(item);
      else if (kind === 'attempt') result.attempts.push(fromItem<DeliveryAttempt>(item));
      else if (kind === 'message') result.messages.push(fromItem<WebhookMessage>(item));
    }
    return result;
  }

  async getMessage(
    tenantId: string,
    eventId: string,
    subscriptionId: string,
  ): Promise<WebhookMessage | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table(),
        Key: messageKey(tenantId, eventId, subscriptionId),
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem<WebhookMessage>(Item) : undefined;
  }

  /**
   * The subscription's failed, exhausted or held messages created at or after `since`, oldest
   * first, at most `max`, continuing after `cursor` (from a previous answer with the same `since`).
   * `nextCursor` is the position after the last message returned when more may remain.
   */
  async listRecoverableMessages(
    tenantId: string,
    subscriptionId: string,
    since: string,
    max: number,
    cursor?: string,
  ): Promise<{ messages: WebhookMessage[]; nextCursor: string | null }> {
    const sinceIso = new Date(since).toISOString();
    const created = messagesCreatedSince(sinceIso);
    const scope = cursorScopes.recover(tenantId, subscriptionId, sinceIso);
    const keyNames = ['pk', 'sk', 'gsi1pk', 'gsi1sk'];
    let start: Record<string, unknown> | undefined = cursor
      ? await this.decode(cursor, scope, keyNames)
      : undefined;
    if (start && start.gsi1pk !== subscriptionGsiPk(subscriptionId)) {
      throw new InvalidCursorError('foreign partition');
    }
    const found: Record<string, unknown>[] = [];
    let exhausted = false;
    while (found.length < max && !exhausted) {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.table(),
          IndexName: BY_SUBSCRIPTION_INDEX,
          KeyConditionExpression: '#gsi1pk = :gsi1pk AND #gsi1sk BETWEEN :from AND :to',
          FilterExpression: `#tenantId = :tenantId AND #status IN (${RECOVERABLE_STATUSES.map((_, i) => `:s${i}`).join(', ')})`,
          ExpressionAttributeNames: {
            '#gsi1pk': 'gsi1pk',
            '#gsi1sk': 'gsi1sk',
            '#tenantId': 'tenantId',
            '#status': 'status',
          },
          ExpressionAttributeValues: {
            ':gsi1pk': subscriptionGsiPk(subscriptionId),
            ':from': created.from,
            ':to': created.to,
            ':tenantId': tenantId,
            ...Object.fromEntries(RECOVERABLE_STATUSES.map((status, i) => [`:s${i}`, status])),
          },
          // Only what is still wanted is read, so the position after the last one taken is exact.
          Limit: Math.max(max - found.length, 25),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const items = page.Items ?? [];
      const wanted = items.slice(0, max - found.length);
      found.push(...wanted);
      if (wanted.length < items.length) {
        // Stopped inside this page: resume right after the last message taken.
        const last = wanted[wanted.length - 1]!;
        start = Object.fromEntries(keyNames.map((name) => [name, last[name]]));
        break;
      }
      start = page.LastEvaluatedKey;
      exhausted = start === undefined;
    }
    const nextCursor =
      !exhausted && start
        ? encodeCursor(
            Object.fromEntries(keyNames.map((name) => [name, start![name]])),
            await this.cursorSecret(),
            { scope },
          )
        : null;
    return { messages: found.map((item) => fromItem<WebhookMessage>(item)), nextCursor };
  }

  // -------------------------------------------------------------------------------------------------
  // Cursors

  private async decode(cursor: string, scope: string, keyNames: string[]): Promise<Record<string, string>> {
    const key = decodeCursor(cursor, await this.cursorSecret(), { scope });
    const names = Object.keys(key);
    if (
      names.length !== keyNames.length ||
      !keyNames.every((name) => typeof key[name] === 'string' && (key[name] as string).length > 0)
    ) {
      throw new InvalidCursorError('payload is not a position of this listing');
    }
    return key as Record<string, string>;
  }

  /** `limit` items of `items` (queried with limit + 1) and the cursor after the last one shown. */
  private async page<T>(
    items: Record<string, unknown>[],
    limit: number,
    scope: string,
    keyNames: string[],
    map: (item: Record<string, unknown>) => T,
  ): Promise<Page<T>> {
    const shown = items.slice(0, limit);
    const hasMore = items.length > limit;
    const last = shown[shown.length - 1];
    const nextCursor =
      hasMore && last
        ? encodeCursor(
            Object.fromEntries(keyNames.map((name) => [name, last[name]])),
            await this.cursorSecret(),
            { scope },
          )
        : null;
    return { items: shown.map(map), nextCursor, hasMore };
  }
}

let store: ApiStore | undefined;

/** The store for this stage's table (one per container). */
export function apiStore(): ApiStore {
  store ??= new ApiStore();
  return store;
}
