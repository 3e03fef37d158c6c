/**
 * Limits at request time, all in the state table (layout in ./README.md), shared by every Lambda
 * instance:
 *
 *  - the tenant's entitlement (projection of billing's SubscriptionChanged, or the documented default),
 *    reused by an instance for at most ENTITLEMENT_CACHE_TTL_MS;
 *  - the per-tenant and per-key rate limit (GCRA): one conditional UpdateItem under load, none for a
 *    refusal this instance can already tell (domain rate-limit.ts);
 *  - the monthly quota: the usage counter of the period, which the `count-usage` stream consumer
 *    increments (one update per tenant per stream batch, so accepting an event adds no usage write).
 *    It is read, not written, here, and reused for at most USAGE_CACHE_TTL_MS: the quota is enforced
 *    within the stream's lag plus that bound.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  dynamoDbDocumentClient,
  isConditionFailure,
  paymentRequired,
  tooManyRequests,
} from '@switchyard/runtime';
import type { Entitlement } from '../domain/entitlements';
import { decide, entitlementFor, usagePeriod } from '../domain/entitlements';
import type { RateLimitDecision, RateState } from '../domain/rate-limit';
import { blockSize, decideRateLimit, policyFor, RateLimitStock, rateItemKey } from '../domain/rate-limit';
import { config } from '../config';
import type { ProjectionStore } from './projections';
import { projectionStore } from './projections';
import type { WriteMeter } from './write-meter';

export const ENTITLEMENT_CACHE_TTL_MS = 5_000;
export const USAGE_CACHE_TTL_MS = 2_000;
/** Usage counters are kept about 13 months, then TTL removes them. */
const USAGE_RETENTION_SECONDS = 400 * 24 * 60 * 60;

export const RATE_SK = 'RATE';
/** Bound on the tenants × keys whose last rate state an instance remembers. */
const MAX_BELIEVED_RATES = 10_000;
export const usageItemKey = (tenantId: string, periodId: string) => ({
  pk: `USAGE#${tenantId}`,
  sk: periodId,
});

export interface Subject {
  tenantId: string;
  keyId: string;
}

export interface Admission {
  /** RateLimit-* headers for the response. */
  headers: Record<string, string>;
  /** How many of the requested events fit in the monthly quota. */
  allowedEvents: number;
  entitlement: Entitlement;
}

export interface Limits {
  /**
   * Admits a request that would add `requested` events, or throws 402 / 429 (`rate_limited` or
   * `quota_exhausted`). Costs one write (the rate-limit update) per block of admissions this instance
   * claims (one request at low rates, up to 100 under sustained load) when its guess of the limiter's
   * state is right, which it is under load; a refusal writes nothing.
   */
  admit(subject: Subject, requested: number, meter: WriteMeter): Promise<Admission>;
  /** Adds `count` accepted events to the tenant's usage of the period containing `at`. */
  addUsage(tenantId: string, count: number, at: Date): Promise<void>;
}

interface Cached<T> {
  value: T;
  atMs: number;
}

export function createLimits(
  deps: {
    client?: DynamoDBDocumentClient;
    tableName?: () => string;
    projections?: () => ProjectionStore;
    now?: () => Date;
  } = {},
): Limits {
  const client = () => deps.client ?? dynamoDbDocumentClient();
  const tableName = deps.tableName ?? (() => config().STATE_TABLE);
  const projections = deps.projections ?? projectionStore;
  const now = deps.now ?? (() => new Date());
  const entitlements = new Map<string, Cached<Entitlement>>();
  const usage = new Map<string, Cached<number>>();

  async function entitlement(tenantId: string, at: Date): Promise<Entitlement> {
    const hit = entitlements.get(tenantId);
    if (hit && at.getTime() - hit.atMs < ENTITLEMENT_CACHE_TTL_MS) return hit.value;
    const value = entitlementFor(tenantId, await projections().getEntitlement(tenantId));
    entitlements.set(tenantId, { value, atMs: at.getTime() });
    return value;
  }

  async function usedThisPeriod(tenantId: string, at: Date): Promise<number> {
    const key = usageItemKey(tenantId, usagePeriod(at).id);
    const cacheKey = `${key.pk}/${key.sk}`;
    const hit = usage.get(cacheKey);
    if (hit && at.getTime() - hit.atMs < USAGE_CACHE_TTL_MS) return hit.value;
    const result = await client().send(new GetCommand({ TableName: tableName(), Key: key }));
    const value = typeof result.Item?.events === 'number' ? result.Item.events : 0;
    usage.set(cacheKey, { value, atMs: at.getTime() });
    return value;
  }

  /** The last `tat`s this instance saw, per tenant item and key: a lower bound of what is stored. */
  const believedRates = new Map<string, RateState>();
  /** Admissions claimed ahead, per tenant and key (a busy instance writes once per block). */
  const stocks = new Map<string, RateLimitStock>();

  function stockFor(key: string): RateLimitStock {
    let stock = stocks.get(key);
    if (!stock) {
      if (stocks.size >= MAX_BELIEVED_RATES) stocks.clear();
      stock = new RateLimitStock();
      stocks.set(key, stock);
    }
    return stock;
  }

  async function rateLimit(
    entitled: Entitlement,
    subject: Subject,
    at: Date,
    meter: WriteMeter,
  ): Promise<RateLimitDecision> {
    const cacheKey = `${rateItemKey(subject.tenantId, at).pk}/${subject.keyId}`;
    const policy = policyFor(entitled);
    const stock = stockFor(`${subject.tenantId}/${subject.keyId}`);
    const perSecond = stock.arrive(at.getTime());
    const spent = stock.spend(at.getTime());
    if (spent) return spent;
    const decision = await decideRateLimit(
      {
        policy,
        tenantId: subject.tenantId,
        keyId: subject.keyId,
        now: at,
        believed: believedRates.get(cacheKey) ?? {},
        cells: blockSize(perSecond, policy),
      },
      {
        remember: (state) => remember(cacheKey, state),
        write: async (update) => {
          try {
            const answer = await client().send(
              new UpdateCommand({
                TableName: tableName(),
                Key: { ...update.Key, sk: RATE_SK },
                UpdateExpression: update.UpdateExpression,
                ConditionExpression: update.ConditionExpression,
                // The table's TTL attribute is expiresAtEpoch: the placeholder keeps the domain's expression.
                ExpressionAttributeNames: {
                  ...update.ExpressionAttributeNames,
                  '#expiresAt': 'expiresAtEpoch',
                },
                ExpressionAttributeValues: update.ExpressionAttributeValues,
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                ReturnConsumedCapacity: 'TOTAL',
              }),
            );
            meter.add(1, answer.ConsumedCapacity);
            return { applied: true };
          } catch (error) {
            if (!isConditionFailure(error)) throw error;
            // A failed condition still consumes a write unit.
            meter.add(1, undefined);
            const item = (error as Error & { Item?: Record<string, { N?: string }> }).Item;
            const tat = (name: string) => (item?.[name]?.N === undefined ? undefined : Number(item[name].N));
            const tenantTat = tat(update.tenantAttribute);
            const keyTat = tat(update.keyAttribute);
            return {
              applied: false,
              stored: {
                ...(tenantTat === undefined ? {} : { tenantTat }),
                ...(keyTat === undefined ? {} : { keyTat }),
              },
            };
          }
        },
      },
    );
    stock.keep(decision, at.getTime());
    return decision;
  }

  function remember(cacheKey: string, state: RateState): void {
    if (believedRates.size >= MAX_BELIEVED_RATES) believedRates.clear();
    believedRates.set(cacheKey, state);
  }

  return {
    async admit(subject, requested, meter) {
      const at = now();
      const entitled = await entitlement(subject.tenantId, at);
      const standing = decide(entitled, { eventsThisPeriod: 0, requested: 0 }, at);
      if (standing.outcome === 'payment_required') throw paymentRequired(standing.message);
      const [rate, used] = await Promise.all([
        rateLimit(entitled, subject, at, meter),
        usedThisPeriod(subject.tenantId, at),
      ]);
      if (!rate.allowed) {
        throw tooManyRequests({
          retryAfterSeconds: rate.retryAfterSeconds ?? 1,
          limit: Number(rate.headers['RateLimit-Limit']),
          remaining: 0,
          resetSeconds: Number(rate.headers['RateLimit-Reset']),
          message: `Rate limit exceeded for this ${rate.limitedBy === 'key' ? 'API key' : 'tenant'}`,
          details: { limitedBy: rate.limitedBy },
        });
      }
      const quota = decide(entitled, { eventsThisPeriod: used, requested }, at);
      if (quota.outcome === 'payment_required') throw paymentRequired(quota.message);
      if (quota.outcome === 'quota_exhausted') {
        throw tooManyRequests({
          code: quota.code,
          message: quota.message,
          retryAfterSeconds: quota.retryAfterSeconds,
          details: { resetAt: quota.resetAt },
        });
      }
      return { headers: rate.headers, allowedEvents: quota.allowedEvents, entitlement: entitled };
    },

    async addUsage(tenantId, count, at) {
      if (count <= 0) return;
      await client().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: usageItemKey(tenantId, usagePeriod(at).id),
          UpdateExpression: 'ADD #events :count SET #ttl = if_not_exists(#ttl, :ttl)',
          ExpressionAttributeNames: { '#events': 'events', '#ttl': 'expiresAtEpoch' },
          ExpressionAttributeValues: {
            ':count': count,
            ':ttl': Math.floor(usagePeriod(at).end.getTime() / 1000) + USAGE_RETENTION_SECONDS,
          },
        }),
      );
    },
  };
}

let limits: Limits | undefined;
export function requestLimits(): Limits {
  limits ??= createLimits();
  return limits;
}
