/**
 * The engine's reads and writes in the delivery table (keys and items: ./delivery-table.ts). Every
 * write that can be repeated is conditional, so a redelivered message or a retried batch changes
 * nothing twice:
 *
 * - event copies and messages: Put `attribute_not_exists(pk)` (fan-out is idempotent);
 * - a message is claimed for one attempt (`claimedBy`/`claimedUntil`, a lease) by a conditional
 *   UpdateItem, so two copies of one request never both send; the attempt is recorded in one
 *   TransactWriteItems (attempt item + message update conditioned on still holding the claim +
 *   MessageExhausted in the outbox when it is the last); a first attempt fan-out makes for an event
 *   it sees first writes its message only then, with the attempt, conditioned on its absence;
 * - subscription health: UpdateItem of `failingSince`, `enabled`, `disabledReason`, `disabledAt`
 *   only (the API owns the other attributes), EndpointDisabled in the same transaction as the flip,
 *   conditioned on the endpoint being enabled, so it is published once;
 * - rate windows: one ADD per attempt on `RATE#<subscriptionId>` / `<epoch second>` (TTL);
 * - long waits: `duePk`/`dueAt` on the message (sparse index `due`), released by the sweeper with a
 *   REMOVE conditioned on the value it read.
 */
import type {
  BatchGetCommandOutput,
  DynamoDBDocumentClient,
  TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  BatchGetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { EndpointDisabled, MessageExhausted } from '@switchyard/contracts';
import {
  conditionalWrite,
  dynamoDbDocumentClient,
  isCancelledByCondition,
  isConditionFailure,
  outboxPut,
  queryAll,
} from '@switchyard/runtime';
import { config } from '../config';
import type { AttemptRecord, MessageState } from '../domain/engine';
import type { HealthChange } from '../domain/health';
import type { MessageStatus, StoredEvent, Subscription, WebhookMessage } from '../domain/model';
import {
  attemptItem,
  DUE_INDEX,
  dueShard,
  eventItem,
  eventKey,
  fromItem,
  messageItem,
  messageKey,
  rateKey,
  SUBSCRIPTION_SK_PREFIX,
  subscriptionKey,
  tenantPk,
} from './delivery-table';
import type { TableKey } from './delivery-table';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface AttemptContext {
  event?: StoredEvent;
  message?: MessageState;
  subscription?: Subscription;
  /** When the message's current claim ends (epoch ms), while it has one. */
  claimedUntil?: number;
}

export interface DueMessage {
  tenantId: string;
  eventId: string;
  subscriptionId: string;
  dueAt: string;
  /** The scheduled attempt the wait leads to. */
  attempt: number;
}

/** Places `next`..`end` of one endpoint's window `second`, claimed by this instance. */
interface RateBlock {
  second: number;
  next: number;
  end: number;
  /** Set while the claim's write is in flight. */
  claiming?: Promise<void> | undefined;
}

export interface ClaimExpectation {
  /** Scheduled requests: the scheduled attempts already made. Manual requests: undefined. */
  scheduledAttemptsMade?: number;
}

export class DeliveryStore {
  /** The places of a rate window this instance claimed last, by subscription (countInRateWindow). */
  private readonly rateBlocks = new Map<string, RateBlock>();
  /** Subscription listings in flight, by tenant (see listSubscriptions). */
  private readonly listings = new Map<string, Promise<Subscription[]>>();

  constructor(
    private readonly client: DynamoDBDocumentClient = dynamoDbDocumentClient(),
    private readonly table: () => string = () => config().DELIVERY_TABLE,
  ) {}

  // -------------------------------------------------------------------------------------------------
  // Fan-out

  /**
   * Every subscription of the tenant (a tenant has few; all pages are read). Callers asking while a
   * listing of the same tenant is in flight share it: the records of one batch fan out concurrently,
   * and every one of their events was published before that listing began. Each caller gets its
   * own copies (an attempt marks its subscription slow in place).
   */
  async listSubscriptions(tenantId: string): Promise<Subscription[]> {
    let listing = this.listings.get(tenantId);
    if (!listing) {
      listing = this.querySubscriptions(tenantId).finally(() => this.listings.delete(tenantId));
      this.listings.set(tenantId, listing);
    }
    return structuredClone(await listing);
  }

  private async querySubscriptions(tenantId: string): Promise<Subscription[]> {
    const items = await queryAll(this.client, {
      TableName: this.table(),
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sub)',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': tenantPk(tenantId), ':sub': SUBSCRIPTION_SK_PREFIX },
      ConsistentRead: true,
    });
    return items.map((item) => fromItem<Subscription>(item));
  }

  /**
   * Stores the event copy once: 'created' by the first call, 'exists' for a repeat (a redelivered
   * event), which changes nothing.
   */
  async saveEvent(event: StoredEvent, expiresAtEpoch: number): Promise<'created' | 'exists'> {
    const created = await conditionalWrite(
      this.client.send(
        new PutCommand({
          TableName: this.table(),
          Item: eventItem(event, expiresAtEpoch),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
        }),
      ),
    );
    return created ? 'created' : 'exists';
  }

  /** Creates the message unless it exists (a redelivered event finds it). */
  async createMessage(
    message: WebhookMessage,
    expiresAtEpoch: number,
    claim?: { requestId: string; until: Date },
  ): Promise<'created' | 'exists'> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table(),
          Item: {
            ...messageItem(message, expiresAtEpoch),
            // Created claimed: the creator attempts it at once, as `claim` would have let it.
            ...(claim ? { claimedBy: claim.requestId, claimedUntil: claim.until.getTime() } : {}),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
        }),
      );
      return 'created';
    } catch (error) {
      if (isConditionFailure(error)) return 'exists';
      throw error;
    }
  }

  /** An event copy and its one message together (the API's test events). */
  async createEventAndMessage(
    event: StoredEvent,
    message: WebhookMessage,
    expiresAtEpoch: number,
  ): Promise<void> {
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: this.table(), Item: eventItem(event, expiresAtEpoch) } },
          {
            Put: {
              TableName: this.table(),
              Item: messageItem(message, expiresAtEpoch),
              ConditionExpression: 'attribute_not_exists(#pk)',
              ExpressionAttributeNames: { '#pk': 'pk' },
            },
          },
        ],
      }),
    );
  }

  // -------------------------------------------------------------------------------------------------
  // Attempts

  /** The event copy, the message and the subscription of one request, in one consistent read. */
  async loadForAttempt(tenantId: string, eventId: string, subscriptionId: string): Promise<AttemptContext> {
    const keys = [
      eventKey(tenantId, eventId),
      messageKey(tenantId, eventId, subscriptionId),
      subscriptionKey(tenantId, subscriptionId),
    ];
    const items: Record<string, unknown>[] = [];
    let pending: Record<string, unknown>[] | undefined = keys;
    for (let round = 0; pending && pending.length > 0; round++) {
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * 2 ** round)));
      if (round >= 6) throw new Error('BatchGetItem kept leaving keys unprocessed');
      const result: BatchGetCommandOutput = await this.client.send(
        new BatchGetCommand({
          RequestItems: { [this.table()]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      items.push(...(result.Responses?.[this.table()] ?? []));
      pending = result.UnprocessedKeys?.[this.table()]?.Keys;
    }
    const find = <T>(key: TableKey): T | undefined => {
      const item = items.find((i) => i.pk === key.pk && i.sk === key.sk);
      return item ? fromItem<T>(item) : undefined;
    };
    const claimedUntil = items.find((i) => i.pk === keys[1]!.pk && i.sk === keys[1]!.sk)?.claimedUntil;
    return {
      event: find<StoredEvent>(keys[0]!),
      message: find<MessageState>(keys[1]!),
      subscription: find<Subscription>(keys[2]!),
      ...(typeof claimedUntil === 'number' ? { claimedUntil } : {}),
    };
  }

  /**
   * Claims the message for one attempt until `leaseUntil` and returns it as claimed (nobody else
   * can change its attempts while the claim holds), or undefined when the request is stale (the
   * schedule moved on, the message is no longer active, a manual request was handled) or another
   * holder's lease is still running.
   */
  async claim(
    message: Pick<WebhookMessage, 'tenantId' | 'eventId' | 'subscriptionId'>,
    requestId: string,
    expect: ClaimExpectation,
    now: Date,
    leaseUntil: Date,
  ): Promise<MessageState | undefined> {
    const names: Record<string, string> = {
      '#status': 'status',
      '#claimedBy': 'claimedBy',
      '#claimedUntil': 'claimedUntil',
    };
    const values: Record<string, unknown> = {
      ':rid': requestId,
      ':now': now.getTime(),
      ':until': leaseUntil.getTime(),
    };
    const free = '(attribute_not_exists(#claimedUntil) OR #claimedUntil < :now)';
    let condition: string;
    if (expect.scheduledAttemptsMade !== undefined) {
      names['#attempts'] = 'attempts';
      names['#scheduledAttempts'] = 'scheduledAttempts';
      values[':pending'] = 'pending';
      values[':failed'] = 'failed';
      values[':made'] = expect.scheduledAttemptsMade;
      condition =
        '#status IN (:pending, :failed) AND ' +
        '(#scheduledAttempts = :made OR (attribute_not_exists(#scheduledAttempts) AND #attempts = :made)) AND ' +
        free;
    } else {
      names['#lastRequestId'] = 'lastRequestId';
      values[':cancelled'] = 'cancelled';
      condition =
        'attribute_exists(#status) AND #status <> :cancelled AND ' +
        '(attribute_not_exists(#lastRequestId) OR #lastRequestId <> :rid) AND ' +
        free;
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table(),
          Key: messageKey(message.tenantId, message.eventId, message.subscriptionId),
          UpdateExpression: 'SET #claimedBy = :rid, #claimedUntil = :until',
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes ? fromItem<MessageState>(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Gives a claim back without an attempt (the send was refused before it started). */
  async release(
    message: Pick<WebhookMessage, 'tenantId' | 'eventId' | 'subscriptionId'>,
    requestId: string,
  ): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.table(),
          Key: messageKey(message.tenantId, message.eventId, message.subscriptionId),
          UpdateExpression: 'REMOVE #claimedBy, #claimedUntil',
          ConditionExpression: '#claimedBy = :rid',
          ExpressionAttributeNames: { '#claimedBy': 'claimedBy', '#claimedUntil': 'claimedUntil' },
          ExpressionAttributeValues: { ':rid': requestId },
        }),
      ),
    );
  }

  /**
   * Records one attempt: the attempt item, the message's new state (only while `requestId` still
   * holds the claim) and, for an exhausted message, MessageExhausted in the outbox, in one
   * transaction. 'lost' when the claim was taken over (this attempt ran past its lease).
   */
  async recordAttempt(
    message: MessageState,
    record: AttemptRecord,
    requestId: string,
    expiresAtEpoch: number,
  ): Promise<'recorded' | 'lost'> {
    const table = this.table();
    const names: Record<string, string> = {
      '#status': 'status',
      '#attempts': 'attempts',
      '#scheduledAttempts': 'scheduledAttempts',
      '#updatedAt': 'updatedAt',
      '#lastRequestId': 'lastRequestId',
      '#claimedBy': 'claimedBy',
      '#claimedUntil': 'claimedUntil',
      '#nextAttemptAt': 'nextAttemptAt',
      '#duePk': 'duePk',
      '#dueAt': 'dueAt',
    };
    const m = record.message;
    const values: Record<string, unknown> = {
      ':status': m.status,
      ':attempts': m.attempts,
      ':scheduledAttempts': m.scheduledAttempts,
      ':updatedAt': m.updatedAt,
      ':rid': requestId,
    };
    const sets = [
      '#status = :status',
      '#attempts = :attempts',
      '#scheduledAttempts = :scheduledAttempts',
      '#updatedAt = :updatedAt',
      '#lastRequestId = :rid',
    ];
    const removes = ['#claimedBy', '#claimedUntil'];
    if (m.nextAttemptAt) {
      sets.push('#nextAttemptAt = :nextAttemptAt');
      values[':nextAttemptAt'] = m.nextAttemptAt;
    } else removes.push('#nextAttemptAt');
    if (m.dueAt) {
      sets.push('#duePk = :duePk', '#dueAt = :dueAt');
      values[':duePk'] = dueShard(message.webhookId);
      values[':dueAt'] = m.dueAt;
    } else removes.push('#duePk', '#dueAt');
    if (m.lastError === null) {
      names['#lastError'] = 'lastError';
      removes.push('#lastError');
    } else if (m.lastError !== undefined) {
      names['#lastError'] = 'lastError';
      sets.push('#lastError = :lastError');
      values[':lastError'] = m.lastError;
    }
    if (m.deliveredAt) {
      names['#deliveredAt'] = 'deliveredAt';
      sets.push('#deliveredAt = :deliveredAt');
      values[':deliveredAt'] = m.deliveredAt;
    }

    return this.writeAttempt(
      {
        Update: {
          TableName: table,
          Key: messageKey(message.tenantId, message.eventId, message.subscriptionId),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: '#claimedBy = :rid',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        },
      },
      message,
      record,
      requestId,
      expiresAtEpoch,
    );
  }

  /**
   * Records the first attempt of a message not written yet: the message as the attempt left it and
   * the attempt item (and MessageExhausted, for a schedule of one attempt), in one transaction, only
   * if the message does not exist. 'lost' when it does: a redelivered event created it meanwhile,
   * and its own request carries on from there.
   */
  async recordFirstAttempt(
    message: WebhookMessage,
    record: AttemptRecord,
    requestId: string,
    expiresAtEpoch: number,
  ): Promise<'recorded' | 'lost'> {
    const table = this.table();
    const m = record.message;
    const state: MessageState = {
      ...message,
      status: m.status,
      attempts: m.attempts,
      scheduledAttempts: m.scheduledAttempts,
      updatedAt: m.updatedAt,
      lastRequestId: requestId,
      ...(m.nextAttemptAt ? { nextAttemptAt: m.nextAttemptAt } : {}),
      ...(m.lastError ? { lastError: m.lastError } : {}),
      ...(m.deliveredAt ? { deliveredAt: m.deliveredAt } : {}),
      ...(m.dueAt ? { dueAt: m.dueAt } : {}),
    };
    return this.writeAttempt(
      {
        Put: {
          TableName: table,
          Item: {
            ...messageItem(state, expiresAtEpoch),
            ...(m.dueAt ? { duePk: dueShard(message.webhookId) } : {}),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
        },
      },
      message,
      record,
      requestId,
      expiresAtEpoch,
    );
  }

  /**
   * The attempt item, the message's write (conditioned on what the caller holds) and, for the
   * message's last attempt, MessageExhausted in the outbox: one transaction. 'lost' when a
   * condition failed.
   */
  private async writeAttempt(
    messageWrite: TransactItem,
    message: Pick<WebhookMessage, 'tenantId' | 'eventId' | 'subscriptionId' | 'webhookId'>,
    record: AttemptRecord,
    requestId: string,
    expiresAtEpoch: number,
  ): Promise<'recorded' | 'lost'> {
    const table = this.table();
    const items: TransactItem[] = [
      {
        Put: {
          TableName: table,
          Item: attemptItem(record.attempt, requestId, expiresAtEpoch),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': 'pk' },
        },
      },
      messageWrite,
    ];
    if (record.exhausted) {
      items.push(
        outboxPut(table, MessageExhausted, {
          tenantId: message.tenantId,
          subscriptionId: message.subscriptionId,
          eventId: message.eventId,
          webhookMessageId: message.webhookId,
          attempts: record.exhausted.attempts,
          lastError: record.exhausted.lastError,
          exhaustedAt: record.exhausted.exhaustedAt,
        }),
      );
    }
    try {
      await this.client.send(new TransactWriteCommand({ TransactItems: items }));
      return 'recorded';
    } catch (error) {
      if (isCancelledByCondition(error)) return 'lost';
      throw error;
    }
  }

  /** Moves an active (pending/failed) message to `held` or `cancelled`, outside any attempt. */
  async setInactive(
    message: Pick<WebhookMessage, 'tenantId' | 'eventId' | 'subscriptionId'>,
    status: Extract<MessageStatus, 'held' | 'cancelled'>,
    now: Date,
  ): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.table(),
          Key: messageKey(message.tenantId, message.eventId, message.subscriptionId),
          UpdateExpression: 'SET #status = :status, #updatedAt = :now REMOVE #nextAttemptAt, #duePk, #dueAt',
          ConditionExpression: '#status IN (:pending, :failed)',
          ExpressionAttributeNames: {
            '#status': 'status',
            '#updatedAt': 'updatedAt',
            '#nextAttemptAt': 'nextAttemptAt',
            '#duePk': 'duePk',
            '#dueAt': 'dueAt',
          },
          ExpressionAttributeValues: {
            ':status': status,
            ':now': now.toISOString(),
            ':pending': 'pending',
            ':failed': 'failed',
          },
        }),
      ),
    );
  }

  // -------------------------------------------------------------------------------------------------
  // Endpoint health

  /**
   * Applies a health change to the subscription. Each is conditional on the state it was decided
   * from, so concurrent attempts agree: the first failure of a run sets `failingSince`, a success
   * clears it, and only the attempt that flips `enabled` publishes EndpointDisabled. Returns
   * whether this call changed anything.
   */
  async applyHealth(subscription: Subscription, change: HealthChange): Promise<boolean> {
    const key = subscriptionKey(subscription.tenantId, subscription.subscriptionId);
    const table = this.table();
    try {
      switch (change.kind) {
        case 'none':
          return false;
        case 'recovered':
          await this.client.send(
            new UpdateCommand({
              TableName: table,
              Key: key,
              UpdateExpression: 'REMOVE #failingSince',
              ConditionExpression: 'attribute_exists(#pk) AND attribute_exists(#failingSince)',
              ExpressionAttributeNames: { '#pk': 'pk', '#failingSince': 'failingSince' },
            }),
          );
          return true;
        case 'failing':
          await this.client.send(
            new UpdateCommand({
              TableName: table,
              Key: key,
              UpdateExpression: 'SET #failingSince = :since',
              ConditionExpression:
                'attribute_exists(#pk) AND attribute_not_exists(#failingSince) AND #enabled = :true',
              ExpressionAttributeNames: {
                '#pk': 'pk',
                '#failingSince': 'failingSince',
                '#enabled': 'enabled',
              },
              ExpressionAttributeValues: { ':since': change.since, ':true': true },
            }),
          );
          return true;
        case 'disable': {
          const names: Record<string, string> = {
            '#pk': 'pk',
            '#enabled': 'enabled',
            '#disabledReason': 'disabledReason',
            '#disabledAt': 'disabledAt',
          };
          const values: Record<string, unknown> = {
            ':true': true,
            ':false': false,
            ':reason': change.reason,
            ':at': change.at,
          };
          let condition = 'attribute_exists(#pk) AND #enabled = :true';
          if (change.reason === 'failing') {
            // A success since the decision cleared the run: then it is not failing any more.
            names['#failingSince'] = 'failingSince';
            values[':since'] = subscription.failingSince ?? '';
            condition += ' AND #failingSince = :since';
          }
          await this.client.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: table,
                    Key: key,
                    UpdateExpression: 'SET #enabled = :false, #disabledReason = :reason, #disabledAt = :at',
                    ConditionExpression: condition,
                    ExpressionAttributeNames: names,
                    ExpressionAttributeValues: values,
                  },
                },
                outboxPut(table, EndpointDisabled, {
                  tenantId: subscription.tenantId,
                  subscriptionId: subscription.subscriptionId,
                  url: subscription.url,
                  reason: change.reason,
                  disabledAt: change.at,
                }),
              ],
            }),
          );
          return true;
        }
      }
    } catch (error) {
      if (isConditionFailure(error) || isCancelledByCondition(error)) return false;
      throw error;
    }
  }

  /**
   * Marks the endpoint slow until `until` (its attempts then run in the slow lane), unless a mark
   * with at least `keepIfAfter` left is already there (concurrent slow attempts write once).
   */
  async markSlow(
    subscription: Pick<Subscription, 'tenantId' | 'subscriptionId'>,
    until: string,
    keepIfAfter: string,
  ): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.table(),
          Key: subscriptionKey(subscription.tenantId, subscription.subscriptionId),
          UpdateExpression: 'SET #slowUntil = :until',
          ConditionExpression:
            'attribute_exists(#pk) AND (attribute_not_exists(#slowUntil) OR #slowUntil < :keep)',
          ExpressionAttributeNames: { '#pk': 'pk', '#slowUntil': 'slowUntil' },
          ExpressionAttributeValues: { ':until': until, ':keep': keepIfAfter },
        }),
      ),
    );
  }

  // -------------------------------------------------------------------------------------------------
  // Rate windows

  /**
   * Takes the next place in the endpoint's window for `second` and returns it (1 is the first).
   * Places are claimed `blockSize` at a time with one ADD on the shared counter and handed out by
   * this instance until they run out (domain/rate-limit.ts, rateBlockOf).
   */
  async countInRateWindow(subscriptionId: string, second: number, blockSize = 1): Promise<number> {
    for (;;) {
      const held = this.rateBlocks.get(subscriptionId);
      if (held?.second === second) {
        if (held.claiming) {
          await held.claiming;
          continue;
        }
        if (held.next <= held.end) return held.next++;
      }
      // One claim in flight per endpoint: attempts of one batch wait for it rather than each
      // claiming a block of their own.
      const block: RateBlock = { second, next: 1, end: 0 };
      block.claiming = this.claimRateBlock(subscriptionId, second, blockSize)
        .then((total) => {
          block.next = total - blockSize + 1;
          block.end = total;
        })
        .finally(() => {
          block.claiming = undefined;
        });
      this.rateBlocks.set(subscriptionId, block);
      await block.claiming;
    }
  }

  private async claimRateBlock(subscriptionId: string, second: number, blockSize: number): Promise<number> {
    const result = await this.client.send(
      new UpdateCommand({
        TableName: this.table(),
        Key: rateKey(subscriptionId, second),
        UpdateExpression: 'ADD #count :places SET #expiresAtEpoch = :expires',
        ExpressionAttributeNames: { '#count': 'count', '#expiresAtEpoch': 'expiresAtEpoch' },
        ExpressionAttributeValues: { ':places': blockSize, ':expires': second + 120 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(result.Attributes?.count ?? blockSize);
  }

  // -------------------------------------------------------------------------------------------------
  // Long waits

  /** Messages of one shard whose wait ends at or before `until`, soonest first. */
  async dueMessages(shard: string, until: string, limit: number): Promise<DueMessage[]> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.table(),
        IndexName: DUE_INDEX,
        KeyConditionExpression: '#duePk = :shard AND #dueAt <= :until',
        ExpressionAttributeNames: { '#duePk': 'duePk', '#dueAt': 'dueAt' },
        ExpressionAttributeValues: { ':shard': shard, ':until': until },
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((item) => ({
      tenantId: String(item.tenantId),
      eventId: String(item.eventId),
      subscriptionId: String(item.subscriptionId),
      dueAt: String(item.dueAt),
      attempt: Number(item.scheduledAttempts ?? item.attempts ?? 0) + 1,
    }));
  }

  /** Takes a message out of the due index once its request is queued (unless it changed since). */
  async releaseDue(message: DueMessage): Promise<boolean> {
    return conditionalWrite(
      this.client.send(
        new UpdateCommand({
          TableName: this.table(),
          Key: messageKey(message.tenantId, message.eventId, message.subscriptionId),
          UpdateExpression: 'REMOVE #duePk, #dueAt',
          ConditionExpression: '#dueAt = :dueAt',
          ExpressionAttributeNames: { '#duePk': 'duePk', '#dueAt': 'dueAt' },
          ExpressionAttributeValues: { ':dueAt': message.dueAt },
        }),
      ),
    );
  }
}

let store: DeliveryStore | undefined;

/** The store for this stage's table (one per container). */
export function deliveryStore(): DeliveryStore {
  store ??= new DeliveryStore();
  return store;
}
