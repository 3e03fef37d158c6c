/**
 * The key layout of billing's two tables, in one place (test/unit/adapters/billing-table.test.ts pins
 * it).
 *
 * `billing-<stage>` (stream → publishOutbox):
 *   STRIPE_EVENT#<evt_…> / STRIPE_EVENT     a Stripe event billing handled (TTL 90 days)
 *   SUBSCRIPTION#<sub_…> / SUBSCRIPTION     the subscription's state, its high-water mark, its tenant
 *   CUSTOMER#<cus_…> / CUSTOMER             the tenant a Stripe customer belongs to
 *   CHECKOUT#<cs_…> / CHECKOUT              a completed checkout and the tenant it went to
 *   TENANT#<tenantId> / BILLING             the tenant's billing (what SubscriptionChanged said last);
 *                                           duePk/dueAt while a past_due grace runs (index graceDue)
 *   PENDING#<cus_…> / EVENT#<evt_…>         an invoice event waiting for its customer's tenant
 *   KEY#<keyId> / KEY                       the API key projection (@switchyard/access)
 *   OUTBOX#<id> / OUTBOX, CONSUMER_FAILURE#<messageId> / …   the runtime's
 *
 * `billing-<stage>-usage` (no stream: its items are rewritten on every batch):
 *   USAGE#<tenantId> / PERIOD#<periodStart>       counters of a billing period and thresholds announced
 *   METERED#<tenantId>#<bucket> / PART#<nnnn>     fingerprints of the message ids counted (dedup)
 */
export const billingKeys = {
  stripeEvent: (eventId: string) => ({ pk: `STRIPE_EVENT#${eventId}`, sk: 'STRIPE_EVENT' }),
  subscription: (subscriptionId: string) => ({ pk: `SUBSCRIPTION#${subscriptionId}`, sk: 'SUBSCRIPTION' }),
  customer: (customerId: string) => ({ pk: `CUSTOMER#${customerId}`, sk: 'CUSTOMER' }),
  checkout: (sessionId: string) => ({ pk: `CHECKOUT#${sessionId}`, sk: 'CHECKOUT' }),
  tenant: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'BILLING' }),
  pendingInvoices: (customerId: string) => `PENDING#${customerId}`,
  pendingInvoice: (customerId: string, eventId: string) => ({
    pk: `PENDING#${customerId}`,
    sk: `EVENT#${eventId}`,
  }),
};

export const usageKeys = {
  usage: (tenantId: string, periodStart: string) => ({
    pk: `USAGE#${tenantId}`,
    sk: `PERIOD#${periodStart}`,
  }),
  meteredBucket: (tenantId: string, bucket: string) => `METERED#${tenantId}#${bucket}`,
  meteredPart: (tenantId: string, bucket: string, part: number) => ({
    pk: `METERED#${tenantId}#${bucket}`,
    sk: `PART#${String(part).padStart(4, '0')}`,
  }),
};

/** The sparse index of tenants whose past_due grace is running: duePk = GRACE, dueAt = its end. */
export const GRACE_DUE_INDEX = 'graceDue';
export const GRACE_DUE_PK = 'GRACE';

/** Stripe retries a webhook for up to 3 days; its events are remembered well past that. */
export const STRIPE_EVENT_RETENTION_SECONDS = 90 * 24 * 60 * 60;
/** Dedup sets outlive the queue's and its DLQ's retention (14 days each) and a replay after them. */
export const METERED_RETENTION_SECONDS = 35 * 24 * 60 * 60;
/** Usage counters are kept about 13 months. */
export const USAGE_RETENTION_SECONDS = 400 * 24 * 60 * 60;
