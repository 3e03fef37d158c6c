/**
 * Plans: a plan is a set of limits. A Stripe price names its plan through its `metadata` (limits and
 * `plan` given there win, key by key) and its `lookup_key` (the plans file's entry for it fills what
 * the metadata leaves out); what neither says is the free plan's. Tenants without a subscription are
 * on the free plan (plans.json, `free`).
 */
import { z } from 'zod';

export interface Limits {
  eventsPerMonth: number;
  requestsPerSecond: number;
  agentQueriesPerMonth: number;
  webhookEndpoints: number;
}

export interface Plan {
  /** Lowercase slug, e.g. `free`, `pro` (SubscriptionChanged's `plan`). */
  slug: string;
  limits: Limits;
}

export interface PlanCatalogue {
  free: Plan;
  /** Plans by Stripe price `lookup_key`. */
  byLookupKey: Record<string, Plan>;
}

/** The limit names in Stripe price metadata and in plans.json, and their field in `Limits`. */
export const LIMIT_KEYS = {
  events_per_month: 'eventsPerMonth',
  requests_per_second: 'requestsPerSecond',
  agent_queries_per_month: 'agentQueriesPerMonth',
  webhook_endpoints: 'webhookEndpoints',
} as const satisfies Record<string, keyof Limits>;
export type LimitKey = keyof typeof LIMIT_KEYS;

export const FREE_PLAN_SLUG = 'free';
const SLUG = /^[a-z0-9][a-z0-9_-]{0,63}$/;

const whole = z.number().int().nonnegative();
const limitsFile = z.strictObject({
  events_per_month: whole,
  requests_per_second: z.number().positive(),
  agent_queries_per_month: whole,
  webhook_endpoints: whole,
});
export const planCatalogueFile = z.strictObject({
  free: limitsFile,
  prices: z.record(z.string().min(1), limitsFile.extend({ plan: z.string().regex(SLUG) })),
});
export type PlanCatalogueFile = z.infer<typeof planCatalogueFile>;

function toLimits(file: z.infer<typeof limitsFile>): Limits {
  return {
    eventsPerMonth: file.events_per_month,
    requestsPerSecond: file.requests_per_second,
    agentQueriesPerMonth: file.agent_queries_per_month,
    webhookEndpoints: file.webhook_endpoints,
  };
}

/** Validates the plans file (throws a ZodError naming the bad entry). */
export function loadPlanCatalogue(raw: unknown): PlanCatalogue {
  const file = planCatalogueFile.parse(raw);
  const byLookupKey: Record<string, Plan> = {};
  for (const [lookupKey, entry] of Object.entries(file.prices)) {
    byLookupKey[lookupKey] = { slug: entry.plan, limits: toLimits(entry) };
  }
  return { free: { slug: FREE_PLAN_SLUG, limits: toLimits(file.free) }, byLookupKey };
}

/** What billing reads of a Stripe price. */
export interface PriceFacts {
  priceId?: string;
  lookupKey?: string;
  metadata: Record<string, string>;
}

/** A metadata value as a limit: a non-negative number (whole, except requests per second). */
function metadataLimit(key: LimitKey, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) return undefined;
  if (key === 'requests_per_second') return number > 0 ? number : undefined;
  return Number.isInteger(number) ? number : undefined;
}

/** `pro`, `Pro Monthly` → `pro-monthly`: a slug from a lookup key, for prices the plans file lacks. */
export function slugOf(text: string): string | undefined {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[-_]+|-+$/g, '')
    .slice(0, 64);
  return SLUG.test(slug) ? slug : undefined;
}

/** The plan a price stands for (see the module comment for the precedence). */
export function planForPrice(price: PriceFacts, catalogue: PlanCatalogue): Plan {
  const fromFile = price.lookupKey ? catalogue.byLookupKey[price.lookupKey] : undefined;
  const base = fromFile ?? catalogue.free;
  const limits = { ...base.limits };
  for (const [key, field] of Object.entries(LIMIT_KEYS) as [LimitKey, keyof Limits][]) {
    const value = metadataLimit(key, price.metadata[key]);
    if (value !== undefined) limits[field] = value;
  }
  const named = price.metadata.plan ? slugOf(price.metadata.plan) : undefined;
  const slug = named ?? fromFile?.slug ?? (price.lookupKey ? slugOf(price.lookupKey) : undefined) ?? 'custom';
  return { slug, limits };
}

/** Limits as the API shows them (the names of the plans file and Stripe metadata). */
export function limitsView(limits: Limits): Record<LimitKey, number> {
  return {
    events_per_month: limits.eventsPerMonth,
    requests_per_second: limits.requestsPerSecond,
    agent_queries_per_month: limits.agentQueriesPerMonth,
    webhook_endpoints: limits.webhookEndpoints,
  };
}
