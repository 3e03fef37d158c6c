/** All DynamoDB access of the agent table (key layout in ./agent-table.ts). */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { AgentQueryCompleted } from '@switchyard/contracts';
import type {
  EndpointDisabled,
  EventReceived,
  MessageExhausted,
  SubscriptionChanged,
  UsageThresholdReached,
} from '@switchyard/contracts';
import type { PublishInput } from '@switchyard/runtime';
import { conditionalWrite, dynamoDbDocumentClient, isConditionFailure, outboxPut } from '@switchyard/runtime';
import { config } from '../config';
import { CONVERSATION_TTL_SECONDS } from '../domain/conversation';
import type { Conversation } from '../domain/conversation';
import type { Entitlement } from '../domain/gates';
import { agentKeys } from './agent-table';

/** An event as the agent's tools see it (the tenant's own, from ingest's EventReceived). */
export interface ProjectedEvent {
  eventId: string;
  eventType: string;
  source: string;
  receivedAt: string;
  payload?: Record<string, unknown>;
  /** The payload was too large to travel on the bus; only its size is known. */
  payloadSize?: number;
}

/** What delivery reported going wrong with the tenant's webhooks (EndpointDisabled, MessageExhausted). */
export interface WebhookProblem {
  kind: 'endpoint_disabled' | 'message_exhausted';
  subscriptionId: string;
  at: string;
  /** endpoint_disabled: the endpoint and why (`gone`: it answered 410, `failing`: too long). */
  url?: string;
  reason?: string;
  /** message_exhausted: the event that never got through, after how many attempts, and why. */
  eventId?: string;
  webhookMessageId?: string;
  attempts?: number;
  statusCode?: number;
  error?: string;
}

/** A share of a monthly limit the tenant crossed, as billing reported it. */
export interface UsageThreshold {
  metric: string;
  thresholdPercent: number;
  used: number;
  limit: number;
  plan: string;
  periodStart: string;
  reachedAt: string;
}

const EVENT_TTL_SECONDS = 35 * 24 * 60 * 60;
const USAGE_TTL_SECONDS = 400 * 24 * 60 * 60;
const epoch = (ms: number) => Math.floor(ms / 1000);

export function agentStore(table = () => config().AGENT_TABLE, client = dynamoDbDocumentClient) {
  /** A page of one partition's items stamped `AT#<time>` in [from, to], newest first. */
  const newestFirstInRange = (
    pk: string,
    range: { from: string; to: string },
    limit: number,
    cursor?: Record<string, unknown>,
  ) =>
    client().send(
      new QueryCommand({
        TableName: table(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': pk, ':from': `AT#${range.from}`, ':to': `AT#${range.to}` },
        ScanIndexForward: false,
        Limit: limit,
        ...(cursor ? { ExclusiveStartKey: cursor } : {}),
      }),
    );

  return {
    /**
     * Claims the caller's turn: succeeds when its last question is at least `cooldownSeconds` old,
     * else returns when that last question was asked (one conditional write, no read).
     */
    async claimCooldown(
      tenantId: string,
      ownerId: string,
      nowMs: number,
      cooldownSeconds: number,
    ): Promise<{ ok: true } | { ok: false; lastAskedAtMs: number }> {
      try {
        await client().send(
          new PutCommand({
            TableName: table(),
            Item: {
              ...agentKeys.cooldown(tenantId, ownerId),
              askedAtMs: nowMs,
              expiresAtEpoch: epoch(nowMs) + Math.max(60, cooldownSeconds * 2),
            },
            ConditionExpression: 'attribute_not_exists(pk) OR askedAtMs <= :cutoff',
            ExpressionAttributeValues: { ':cutoff': nowMs - cooldownSeconds * 1000 },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return { ok: true };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const old = (error as { Item?: { askedAtMs?: number } }).Item;
        return { ok: false, lastAskedAtMs: Number(old?.askedAtMs ?? nowMs) };
      }
    },

    async getEntitlement(tenantId: string): Promise<Entitlement | undefined> {
      const out = await client().send(
        new GetCommand({ TableName: table(), Key: agentKeys.entitlement(tenantId) }),
      );
      return out.Item as Entitlement | undefined;
    },

    /** Applies a SubscriptionChanged if it is newer than what the projection holds. */
    async applySubscriptionChanged(message: SubscriptionChanged): Promise<boolean> {
      const next = message.new;
      const entitlement: Entitlement = {
        entitled: next.entitled ?? (next.status === 'active' || next.status === 'trialing'),
        plan: next.plan,
        agentQueriesPerMonth: next.quotas.agentQueriesPerMonth ?? 100,
        eventsPerMonth: next.quotas.eventsPerMonth,
        ...(next.currentPeriodStart ? { periodStart: next.currentPeriodStart } : {}),
        changedAt: message.changedAt,
      };
      return conditionalWrite(
        client().send(
          new PutCommand({
            TableName: table(),
            Item: { ...agentKeys.entitlement(message.tenantId), ...entitlement },
            ConditionExpression: 'attribute_not_exists(pk) OR changedAt < :at',
            ExpressionAttributeValues: { ':at': message.changedAt },
          }),
        ),
      );
    },

    async usedThisPeriod(tenantId: string, period: string): Promise<number> {
      const out = await client().send(
        new GetCommand({
          TableName: table(),
          Key: agentKeys.usage(tenantId, period),
          ProjectionExpression: 'answered',
        }),
      );
      return Number(out.Item?.answered ?? 0);
    },

    /**
     * A successful answer, in one transaction: the period's count, the conversation's new state
     * and AgentQueryCompleted in the outbox (published by publishOutbox, metered by billing).
     */
    async recordAnswer(input: {
      period: string;
      conversation: Conversation;
      completed: PublishInput<typeof AgentQueryCompleted>;
      nowMs: number;
    }): Promise<void> {
      const { conversation, completed, period, nowMs } = input;
      await client().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: table(),
                Key: agentKeys.usage(conversation.tenantId, period),
                UpdateExpression: 'ADD answered :one SET expiresAtEpoch = :ttl',
                ExpressionAttributeValues: { ':one': 1, ':ttl': epoch(nowMs) + USAGE_TTL_SECONDS },
              },
            },
            {
              Put: {
                TableName: table(),
                Item: {
                  ...agentKeys.conversation(
                    conversation.tenantId,
                    conversation.ownerId,
                    conversation.conversationId,
                  ),
                  ...conversation,
                  expiresAtEpoch: epoch(nowMs) + CONVERSATION_TTL_SECONDS,
                },
              },
            },
            outboxPut(table(), AgentQueryCompleted, completed),
          ],
        }),
      );
    },

    async getConversation(
      tenantId: string,
      ownerId: string,
      conversationId: string,
    ): Promise<Conversation | undefined> {
      const out = await client().send(
        new GetCommand({
          TableName: table(),
          Key: agentKeys.conversation(tenantId, ownerId, conversationId),
        }),
      );
      const item = out.Item as (Conversation & { expiresAtEpoch?: number }) | undefined;
      // TTL deletes lazily: an expired conversation is gone for the caller at once.
      if (!item || (item.expiresAtEpoch !== undefined && item.expiresAtEpoch * 1000 < Date.now()))
        return undefined;
      return toConversation(item);
    },

    /** The caller's conversations, most recent first (at most 50). */
    async listConversations(tenantId: string, ownerId: string): Promise<Conversation[]> {
      const out = await client().send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :conv)',
          ExpressionAttributeValues: { ':pk': agentKeys.conversations(tenantId, ownerId), ':conv': 'CONV#' },
          Limit: 50,
        }),
      );
      const now = Date.now();
      return ((out.Items ?? []) as (Conversation & { expiresAtEpoch?: number })[])
        .filter((item) => item.expiresAtEpoch === undefined || item.expiresAtEpoch * 1000 >= now)
        .map(toConversation)
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    },

    /** An event ingest received, by time (search) and by id (get); the same message twice is one event. */
    async putEvent(tenantId: string, message: EventReceived): Promise<void> {
      const event: ProjectedEvent = {
        eventId: message.eventId,
        eventType: message.eventType,
        source: message.source,
        receivedAt: message.receivedAt,
        ...(message.payload ? { payload: message.payload } : {}),
        ...(message.payloadRef ? { payloadSize: message.payloadRef.size } : {}),
      };
      const ttl = epoch(Date.parse(message.receivedAt)) + EVENT_TTL_SECONDS;
      await client().send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table(),
                Item: { ...agentKeys.event(tenantId, event.eventId), ...event, expiresAtEpoch: ttl },
              },
            },
            {
              Put: {
                TableName: table(),
                Item: {
                  ...agentKeys.eventAt(tenantId, event.receivedAt, event.eventId),
                  ...event,
                  expiresAtEpoch: ttl,
                },
              },
            },
          ],
        }),
      );
    },

    async getEvent(tenantId: string, eventId: string): Promise<ProjectedEvent | undefined> {
      const out = await client().send(
        new GetCommand({ TableName: table(), Key: agentKeys.event(tenantId, eventId) }),
      );
      return out.Item ? toEvent(out.Item) : undefined;
    },

    /** The tenant's events in [from, to), newest first, a page at a time. */
    async searchEvents(
      tenantId: string,
      range: { from: string; to: string },
      limit: number,
      cursor?: Record<string, unknown>,
    ): Promise<{ events: ProjectedEvent[]; next?: Record<string, unknown> }> {
      const out = await newestFirstInRange(agentKeys.events(tenantId), range, limit, cursor);
      return {
        events: (out.Items ?? []).map(toEvent),
        ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}),
      };
    },

    /** A webhook problem delivery reported; the same message twice is one item. */
    async putWebhookProblem(tenantId: string, message: EndpointDisabled | MessageExhausted): Promise<void> {
      const problem: WebhookProblem =
        'webhookMessageId' in message
          ? {
              kind: 'message_exhausted',
              subscriptionId: message.subscriptionId,
              at: message.exhaustedAt,
              eventId: message.eventId,
              webhookMessageId: message.webhookMessageId,
              attempts: message.attempts,
              ...(message.lastError.statusCode ? { statusCode: message.lastError.statusCode } : {}),
              error: message.lastError.message,
            }
          : {
              kind: 'endpoint_disabled',
              subscriptionId: message.subscriptionId,
              at: message.disabledAt,
              url: message.url,
              reason: message.reason,
            };
      const id = problem.webhookMessageId ?? `disabled-${problem.subscriptionId}`;
      await client().send(
        new PutCommand({
          TableName: table(),
          Item: {
            ...agentKeys.problemAt(tenantId, problem.at, id),
            ...problem,
            expiresAtEpoch: epoch(Date.parse(problem.at)) + EVENT_TTL_SECONDS,
          },
        }),
      );
    },

    /** The tenant's webhook problems in [from, to), newest first, a page at a time. */
    async searchWebhookProblems(
      tenantId: string,
      range: { from: string; to: string },
      limit: number,
      cursor?: Record<string, unknown>,
    ): Promise<{ problems: WebhookProblem[]; next?: Record<string, unknown> }> {
      const out = await newestFirstInRange(agentKeys.problems(tenantId), range, limit, cursor);
      return {
        problems: (out.Items ?? []).map((item) => {
          const { pk: _pk, sk: _sk, expiresAtEpoch: _ttl, ...problem } = item;
          return problem as WebhookProblem;
        }),
        ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}),
      };
    },

    async putThreshold(tenantId: string, message: UsageThresholdReached): Promise<void> {
      const threshold: UsageThreshold = {
        metric: message.metric,
        thresholdPercent: message.thresholdPercent,
        used: message.used,
        limit: message.limit,
        plan: message.plan,
        periodStart: message.periodStart,
        reachedAt: message.reachedAt,
      };
      await client().send(
        new PutCommand({
          TableName: table(),
          Item: {
            ...agentKeys.threshold(tenantId, message.periodStart, message.metric, message.thresholdPercent),
            ...threshold,
            expiresAtEpoch: epoch(Date.parse(message.reachedAt)) + USAGE_TTL_SECONDS,
          },
        }),
      );
    },

    /** Thresholds crossed in periods that started at or after `since`, newest period first. */
    async listThresholds(tenantId: string, since: string): Promise<UsageThreshold[]> {
      const out = await client().send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': `TENANT#${tenantId}`,
            ':from': `THRESHOLD#${since}`,
            ':to': 'THRESHOLD#~',
          },
          ScanIndexForward: false,
          Limit: 20,
        }),
      );
      return (out.Items ?? []).map((item) => {
        const { pk: _pk, sk: _sk, expiresAtEpoch: _ttl, ...threshold } = item;
        return threshold as UsageThreshold;
      });
    },
  };
}
export type AgentStore = ReturnType<typeof agentStore>;

function toConversation(item: Conversation): Conversation {
  return {
    conversationId: item.conversationId,
    tenantId: item.tenantId,
    ownerId: item.ownerId,
    turns: item.turns ?? [],
    createdAt: item.createdAt,
    updatedAt: item.updatedAt,
  };
}

function toEvent(item: Record<string, unknown>): ProjectedEvent {
  return {
    eventId: String(item.eventId),
    eventType: String(item.eventType),
    source: String(item.source),
    receivedAt: String(item.receivedAt),
    ...(item.payload ? { payload: item.payload as Record<string, unknown> } : {}),
    ...(item.payloadSize !== undefined ? { payloadSize: Number(item.payloadSize) } : {}),
  };
}
