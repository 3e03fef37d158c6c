/**
 * Billing's state and decisions, pure.
 *
 * - A subscription's state is applied by the Stripe event's `created` time (a high-water mark),
 *   whatever order events arrive in: an event no newer than the one applied changes nothing, and a
 *   subscription that reached a terminal status (`canceled`, `incomplete_expired`) never leaves it.
 * - A subscription belongs to a tenant once billing knows whose customer it is (a checkout, or the
 *   tenant identity created for a checkout). Until then its state is kept and applied on linking.
 * - A tenant's billing is the state of its current subscription (the one linked last, or the first
 *   it has), else the free plan. `entitled` is billing's answer to "may this tenant use the platform
 *   now": active and trialing yes; past_due for a grace period; everything else no.
 */
import type {
  CheckoutCompleted,
  InvoicePaid,
  InvoicePaymentFailed,
  SubscriptionChanged,
} from '@switchyard/contracts';
import type { Limits, Plan, PlanCatalogue } from './plans';
import { FREE_PLAN_SLUG, planForPrice } from './plans';
import type { InvoiceFacts, SubscriptionSnapshot, SubscriptionStatus } from './stripe-events';

export type BillingState = SubscriptionChanged['new'] & { quotas: Limits; entitled: boolean };

/** Orders subscription events: `created` seconds, then created < updated < deleted, then nothing. */
export interface EventStamp {
  created: number;
  rank: number;
  eventId: string;
}

export interface SubscriptionRecord {
  subscriptionId: string;
  /** Absent while only a link is known (a checkout named it before any of its events came). */
  snapshot?: SubscriptionSnapshot;
  stamp?: EventStamp;
  tenantId?: string;
  revision: number;
}

export interface TenantBilling {
  tenantId: string;
  subscriptionId?: string;
  customerId?: string;
  /** What was last published as SubscriptionChanged `new`; absent before the first publication. */
  state?: BillingState;
  /** When the subscription became past_due (Stripe's event time). */
  pastDueSince?: string;
  /** When a past_due subscription's grace ends; the sweeper refuses the tenant then. */
  graceEndsAt?: string;
  /** The period before the current one, so late usage still finds its period. */
  previousPeriodStart?: string;
  /** `changedAt` of the last SubscriptionChanged: strictly increasing per tenant. */
  changedAt?: string;
  revision: number;
}

export const TERMINAL_STATUSES: ReadonlySet<SubscriptionStatus> = new Set(['canceled', 'incomplete_expired']);
const ALWAYS_ENTITLED: ReadonlySet<SubscriptionStatus> = new Set(['active', 'trialing']);

export function compareStamps(a: EventStamp, b: EventStamp): number {
  return a.created - b.created || a.rank - b.rank;
}

export type SubscriptionApplyResult =
  | { outcome: 'applied'; record: SubscriptionRecord }
  | { outcome: 'stale'; record: SubscriptionRecord | undefined };

/**
 * Applies a subscription event to what billing holds. Stale: older than (or as old as, in the same
 * rank, and not later in arrival) the state applied, or the subscription already ended. Two events
 * of the same second and rank are applied in arrival order: Stripe gives nothing finer.
 */
export function applySubscriptionEvent(
  current: SubscriptionRecord | undefined,
  snapshot: SubscriptionSnapshot,
  stamp: EventStamp,
): SubscriptionApplyResult {
  if (current?.snapshot && TERMINAL_STATUSES.has(current.snapshot.status)) {
    return { outcome: 'stale', record: current };
  }
  if (current?.stamp && compareStamps(stamp, current.stamp) < 0) return { outcome: 'stale', record: current };
  return {
    outcome: 'applied',
    record: {
      subscriptionId: snapshot.subscriptionId,
      snapshot,
      stamp,
      ...(current?.tenantId ? { tenantId: current.tenantId } : {}),
      revision: (current?.revision ?? 0) + 1,
    },
  };
}

/** Whether a subscription's events decide the tenant's billing (see the module comment). */
export function governsTenant(tenant: TenantBilling | undefined, record: SubscriptionRecord): boolean {
  if (!tenant?.subscriptionId || tenant.subscriptionId === record.subscriptionId) return true;
  // A tenant whose subscription ended takes up another live one of its customer.
  const currentEnded = tenant.state !== undefined && TERMINAL_STATUSES.has(tenant.state.status);
  return currentEnded && record.snapshot !== undefined && !TERMINAL_STATUSES.has(record.snapshot.status);
}

export interface DecideOptions {
  now: Date;
  graceSeconds: number;
  /** When Stripe's change happened (the event's `created`), for the start of a grace period. */
  eventAt: Date;
  catalogue: PlanCatalogue;
}

/** The tenant's billing under its subscription's snapshot (not yet published: see `publishChange`). */
export function tenantUnderSubscription(
  tenant: TenantBilling,
  snapshot: SubscriptionSnapshot,
  options: DecideOptions,
): TenantBilling {
  const plan = planForPrice(snapshot.price, options.catalogue);
  const wasPastDue = tenant.state?.status === 'past_due' && tenant.pastDueSince !== undefined;
  const pastDueSince =
    snapshot.status === 'past_due'
      ? wasPastDue && tenant.subscriptionId === snapshot.subscriptionId
        ? tenant.pastDueSince!
        : options.eventAt.toISOString()
      : undefined;
  const graceEndsAt =
    pastDueSince === undefined
      ? undefined
      : new Date(Date.parse(pastDueSince) + options.graceSeconds * 1000).toISOString();
  const entitled =
    ALWAYS_ENTITLED.has(snapshot.status) ||
    (graceEndsAt !== undefined && options.now.getTime() < Date.parse(graceEndsAt));
  const state: BillingState = {
    status: snapshot.status,
    plan: plan.slug,
    quotas: { ...plan.limits },
    ...(snapshot.currentPeriodStart ? { currentPeriodStart: snapshot.currentPeriodStart } : {}),
    ...(snapshot.currentPeriodEnd ? { currentPeriodEnd: snapshot.currentPeriodEnd } : {}),
    entitled,
  };
  const previousStart = tenant.state?.currentPeriodStart;
  const rolledOver = previousStart !== undefined && previousStart !== state.currentPeriodStart;
  const { pastDueSince: _p, graceEndsAt: _g, ...rest } = tenant;
  return {
    ...rest,
    subscriptionId: snapshot.subscriptionId,
    customerId: snapshot.customerId,
    state,
    ...(rolledOver ? { previousPeriodStart: previousStart } : {}),
    ...(pastDueSince ? { pastDueSince } : {}),
    // Only a grace still running needs the sweeper.
    ...(graceEndsAt && entitled ? { graceEndsAt } : {}),
  };
}

/** The free plan's state: what a tenant without a subscription may do. */
export function freeState(plan: Plan): BillingState {
  return { status: 'active', plan: FREE_PLAN_SLUG, quotas: { ...plan.limits }, entitled: true };
}

/** Stands in for a Stripe subscription id in SubscriptionChanged for the free plan. */
export const FREE_SUBSCRIPTION_ID = 'free';

/** The grace of a past_due tenant ended: refused from now on. */
export function endGrace(tenant: TenantBilling, now: Date): TenantBilling | undefined {
  if (tenant.state?.status !== 'past_due' || !tenant.state.entitled || !tenant.graceEndsAt) return undefined;
  if (Date.parse(tenant.graceEndsAt) > now.getTime()) return undefined;
  const { graceEndsAt: _g, ...rest } = tenant;
  return { ...rest, state: { ...tenant.state, entitled: false } };
}

function sameState(a: BillingState | undefined, b: BillingState | undefined): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(state: BillingState | undefined): unknown {
  if (!state) return null;
  return Object.fromEntries(
    Object.entries({ ...state, quotas: Object.fromEntries(Object.entries(state.quotas).sort()) }).sort(),
  );
}

export type SubscriptionChangedBody = Omit<SubscriptionChanged, 'version' | 'id' | 'time' | 'correlationId'>;

/**
 * The SubscriptionChanged a move from `before` to `after` publishes, or nothing when the published
 * state stays the same. `changedAt` grows strictly per tenant, so consumers applying newer-wins see
 * billing's order even when two changes share a millisecond.
 */
export function publishChange(
  before: TenantBilling | undefined,
  after: TenantBilling,
  now: Date,
): { tenant: TenantBilling; message?: SubscriptionChangedBody } {
  if (!after.state || sameState(before?.state, after.state)) return { tenant: after };
  const last = before?.changedAt ? Date.parse(before.changedAt) : 0;
  const changedAt = new Date(Math.max(now.getTime(), last + 1)).toISOString();
  return {
    tenant: { ...after, changedAt },
    message: {
      tenantId: after.tenantId,
      subscriptionId: after.subscriptionId ?? FREE_SUBSCRIPTION_ID,
      ...(after.customerId ? { customerId: after.customerId } : {}),
      ...(before?.state ? { old: before.state } : {}),
      new: after.state,
      changedAt,
    },
  };
}

/** A tenant id as identity makes them (`ten_` + ULID): the only `client_reference_id` billing trusts. */
export function isTenantId(value: string | undefined): value is string {
  return value !== undefined && /^ten_[0-9A-HJKMNP-TV-Z]{26}$/.test(value);
}

/** What the tenant's view shows: its state, or the free plan's when billing holds none. */
export function currentState(tenant: TenantBilling | undefined, free: Plan): BillingState {
  return tenant?.state ?? freeState(free);
}

// ---------------------------------------------------------------------------------------------------
// Links, checkouts, invoices waiting for their tenant, and what billing publishes

export interface CustomerRecord {
  customerId: string;
  tenantId: string;
  revision: number;
}

export interface CheckoutRecord {
  sessionId: string;
  customerId: string;
  subscriptionId?: string;
  email?: string;
  tenantName?: string;
  /** Set once the checkout's tenant is known (at once for a known tenant, else from identity). */
  tenantId?: string;
  completedAt: string;
  revision: number;
}

/** An invoice event that came before billing knew its customer's tenant. */
export interface PendingInvoice {
  customerId: string;
  eventId: string;
  outcome: 'paid' | 'payment_failed';
  invoice: InvoiceFacts;
  /** The Stripe event's `created`, ISO. */
  at: string;
}

type Body<M> = Omit<M, 'version' | 'id' | 'time' | 'correlationId'>;

/** A message billing publishes (through its outbox, in the same transaction as the change). */
export type Outgoing =
  | { type: 'SubscriptionChanged'; body: SubscriptionChangedBody }
  | { type: 'CheckoutCompleted'; body: Body<CheckoutCompleted> }
  | { type: 'InvoicePaid'; body: Body<InvoicePaid> }
  | { type: 'InvoicePaymentFailed'; body: Body<InvoicePaymentFailed> };

/** The message an invoice event becomes once its tenant is known. */
export function invoiceMessage(pending: PendingInvoice, tenantId: string): Outgoing {
  const { invoice } = pending;
  const common = {
    tenantId,
    invoiceId: invoice.invoiceId,
    customerId: invoice.customerId,
    ...(invoice.subscriptionId ? { subscriptionId: invoice.subscriptionId } : {}),
    currency: invoice.currency,
    ...(invoice.hostedInvoiceUrl ? { hostedInvoiceUrl: invoice.hostedInvoiceUrl } : {}),
  };
  if (pending.outcome === 'paid') {
    return { type: 'InvoicePaid', body: { ...common, amountPaid: invoice.amountPaid, paidAt: pending.at } };
  }
  return {
    type: 'InvoicePaymentFailed',
    body: {
      ...common,
      amountDue: invoice.amountDue,
      attemptCount: invoice.attemptCount,
      ...(invoice.nextPaymentAttempt ? { nextPaymentAttempt: invoice.nextPaymentAttempt } : {}),
      failedAt: pending.at,
    },
  };
}
