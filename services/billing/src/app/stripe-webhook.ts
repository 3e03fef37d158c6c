/**
 * POST /billing/stripe/webhook: a Stripe event, verified, recorded once by its id in the same
 * transaction as its effect, and applied in Stripe's time order whatever order it arrives in.
 *
 * - checkout.session.completed: a known tenant (`client_reference_id`, or a customer already linked)
 *   is linked at once; otherwise CheckoutCompleted asks identity to create the tenant, and the link
 *   follows from TenantCreated / CheckoutLinked (./tenants.ts).
 * - customer.subscription.*: applied to the subscription if newer than its high-water mark; to its
 *   tenant when the tenant is known, else kept until the link.
 * - invoice.paid / invoice.payment_failed: InvoicePaid / InvoicePaymentFailed for the customer's
 *   tenant, or kept until the link.
 */
import { PLATFORM_TENANT_ID } from '@switchyard/contracts';
import { badRequest, logger } from '@switchyard/runtime';
import type { BillingWrite } from '../adapters/billing-store';
import type { PendingInvoice, TenantBilling } from '../domain/billing';
import {
  applySubscriptionEvent,
  governsTenant,
  invoiceMessage,
  isTenantId,
  publishChange,
  tenantUnderSubscription,
} from '../domain/billing';
import type { StripeEventFacts } from '../domain/stripe-events';
import { isoFromEpoch, parseStripeEvent, subscriptionEventRank } from '../domain/stripe-events';
import type { BillingDeps } from './links';
import { linkWrite, withRetries } from './links';

export type WebhookOutcome =
  | 'applied'
  | 'stale'
  | 'duplicate'
  | 'ignored'
  | 'kept_until_linked'
  | 'tenant_requested'
  | 'checkout_without_email';

export interface WebhookDeps extends BillingDeps {
  /** The verified event body; throws when the signature is missing, wrong or too old. */
  verify: (payload: Buffer, signature: string | undefined) => Promise<unknown>;
}

export const INVALID_SIGNATURE = 'The Stripe-Signature header is missing or does not verify.';

/** Verifies, parses and handles one webhook request's body. */
export async function receiveStripeWebhook(
  payload: Buffer,
  signature: string | undefined,
  deps: WebhookDeps,
): Promise<{ eventId: string; type: string; outcome: WebhookOutcome }> {
  let body: unknown;
  try {
    body = await deps.verify(payload, signature);
  } catch {
    throw badRequest(INVALID_SIGNATURE, { code: 'invalid_signature' });
  }
  let facts: StripeEventFacts;
  try {
    facts = parseStripeEvent(body);
  } catch {
    throw badRequest('The event does not have the fields billing needs for its type.', {
      code: 'invalid_event',
    });
  }
  const outcome = await handleStripeEvent(facts, deps);
  logger.info('stripe_event_handled', { eventId: facts.eventId, type: facts.type, outcome });
  return { eventId: facts.eventId, type: facts.type, outcome };
}

export async function handleStripeEvent(facts: StripeEventFacts, deps: BillingDeps): Promise<WebhookOutcome> {
  if (facts.kind === 'ignored') return 'ignored';
  if (await deps.store.hasStripeEvent(facts.eventId)) return 'duplicate';
  const stripeEvent = { eventId: facts.eventId, type: facts.type, created: facts.created };
  return withRetries(async () => {
    const planned = await plan(facts, deps);
    return { write: { ...planned.write, stripeEvent }, outcome: planned.outcome };
  }, deps.store);
}

type Planned = { write: BillingWrite; outcome: WebhookOutcome };

function plan(facts: Exclude<StripeEventFacts, { kind: 'ignored' }>, deps: BillingDeps): Promise<Planned> {
  switch (facts.kind) {
    case 'checkout':
      return planCheckout(facts, deps);
    case 'subscription':
      return planSubscription(facts, deps);
    case 'invoice':
      return planInvoice(facts, deps);
  }
}

async function planCheckout(
  facts: Extract<StripeEventFacts, { kind: 'checkout' }>,
  deps: BillingDeps,
): Promise<Planned> {
  const { checkout } = facts;
  // A session completes once; another event about it (Stripe resends under a new id) changes nothing.
  if (await deps.store.getCheckout(checkout.sessionId)) return { write: { publish: [] }, outcome: 'stale' };
  const customer = await deps.store.getCustomer(checkout.customerId);
  const tenantId = isTenantId(checkout.clientReferenceId) ? checkout.clientReferenceId : customer?.tenantId;
  const record = {
    sessionId: checkout.sessionId,
    customerId: checkout.customerId,
    ...(checkout.subscriptionId ? { subscriptionId: checkout.subscriptionId } : {}),
    ...(checkout.email ? { email: checkout.email } : {}),
    ...(checkout.tenantName ? { tenantName: checkout.tenantName } : {}),
    ...(tenantId ? { tenantId } : {}),
    completedAt: isoFromEpoch(facts.created),
    revision: 0,
  };
  const checkoutItem = { record, readRevision: undefined };
  if (tenantId) {
    const link = await linkWrite(
      {
        tenantId,
        customerId: checkout.customerId,
        ...(checkout.subscriptionId ? { subscriptionId: checkout.subscriptionId } : {}),
      },
      deps,
    );
    return { write: { ...link, checkout: checkoutItem }, outcome: 'applied' };
  }
  if (!checkout.email) {
    logger.warn('checkout_without_email', { sessionId: checkout.sessionId });
    return { write: { checkout: checkoutItem, publish: [] }, outcome: 'checkout_without_email' };
  }
  return {
    write: {
      checkout: checkoutItem,
      publish: [
        {
          type: 'CheckoutCompleted',
          body: {
            // No tenant exists yet: identity creates it from this message.
            tenantId: PLATFORM_TENANT_ID,
            checkoutSessionId: checkout.sessionId,
            customerId: checkout.customerId,
            ...(checkout.subscriptionId ? { subscriptionId: checkout.subscriptionId } : {}),
            email: checkout.email,
            ...(checkout.tenantName ? { tenantName: checkout.tenantName } : {}),
            completedAt: record.completedAt,
          },
        },
      ],
    },
    outcome: 'tenant_requested',
  };
}

async function planSubscription(
  facts: Extract<StripeEventFacts, { kind: 'subscription' }>,
  deps: BillingDeps,
): Promise<Planned> {
  const { subscription: snapshot } = facts;
  const current = await deps.store.getSubscription(snapshot.subscriptionId);
  const stamp = { created: facts.created, rank: subscriptionEventRank(facts.type), eventId: facts.eventId };
  const applied = applySubscriptionEvent(current, snapshot, stamp);
  if (applied.outcome === 'stale') return { write: { publish: [] }, outcome: 'stale' };
  const record = { ...applied.record };
  const tenantId = record.tenantId ?? (await deps.store.getCustomer(snapshot.customerId))?.tenantId;
  const write: BillingWrite = {
    subscription: { record: tenantId ? { ...record, tenantId } : record, readRevision: current?.revision },
    publish: [],
  };
  if (!tenantId) return { write, outcome: 'kept_until_linked' };
  const tenant = await deps.store.getTenant(tenantId);
  if (!governsTenant(tenant, record)) return { write, outcome: 'applied' };
  const base: TenantBilling = tenant ?? { tenantId, revision: 0 };
  const next = tenantUnderSubscription(base, snapshot, {
    now: deps.now(),
    graceSeconds: deps.graceSeconds,
    eventAt: new Date(facts.created * 1000),
    catalogue: deps.catalogue,
  });
  const published = publishChange(tenant, next, deps.now());
  if (JSON.stringify(published.tenant) !== JSON.stringify(tenant)) {
    write.tenant = { record: published.tenant, readRevision: tenant?.revision };
  }
  if (published.message) write.publish.push({ type: 'SubscriptionChanged', body: published.message });
  return { write, outcome: 'applied' };
}

async function planInvoice(
  facts: Extract<StripeEventFacts, { kind: 'invoice' }>,
  deps: BillingDeps,
): Promise<Planned> {
  const pending: PendingInvoice = {
    customerId: facts.invoice.customerId,
    eventId: facts.eventId,
    outcome: facts.outcome,
    invoice: facts.invoice,
    at: isoFromEpoch(facts.created),
  };
  const customer = await deps.store.getCustomer(facts.invoice.customerId);
  if (customer) {
    return { write: { publish: [invoiceMessage(pending, customer.tenantId)] }, outcome: 'applied' };
  }
  return {
    write: { putPending: [pending], customerUnlinked: pending.customerId, publish: [] },
    outcome: 'kept_until_linked',
  };
}
