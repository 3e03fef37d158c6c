/** All DynamoDB access of the agent table (key layout in ./agent-table.ts). */
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { AgentQueryCompleted } from '@switchyard/contracts';
import type { EventReceived, SubscriptionChanged } from '@switchyard/contracts';
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

const EVENT_TTL_SECONDS = 35 * 24 * 60 * 60;
const USAGE_TTL_SECONDS = 400 * 24 * 60 * 60;
const epoch = (ms: number) => Math.floor(ms / 1000);

export function agentStore(table = () => config().AGENT_TABLE, client = dynamoDbDocumentClient) {
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
      const out = await client().send(
        new QueryCommand({
          TableName: table(),
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': agentKeys.events(tenantId),
            ':from': `AT#${range.from}`,
            ':to': `AT#${range.to}`,
          },
          ScanIndexForward: false,
          Limit: limit,
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      return {
        events: (out.Items ?? []).map(toEvent),
        ...(out.LastEvaluatedKey ? { next: out.LastEvaluatedKey } : {}),
      };
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
