/**
 * Stripe-shaped webhook events, signed as Stripe signs them, for the local cloud and tests (what
 * Stripe's own CLI does with `stripe trigger`). Bodies follow Stripe's API shapes: each object is
 * typed against the `stripe` package's types (`Stripe.Event`, `Stripe.Checkout.Session`,
 * `Stripe.Subscription`, `Stripe.Invoice`), with the fields billing and a reader need set and the
 * rest left out. Pure, apart from the signature.
 */
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

export const TRIGGERABLE_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
] as const;
export type TriggerableEvent = (typeof TRIGGERABLE_EVENTS)[number];

/** Stripe's id style: a prefix and random characters (`cus_Q1w2E3r4T5y6U7`). */
export function stripeId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
}

export interface StripeEventInput {
  type: TriggerableEvent | string;
  object: Record<string, unknown>;
  /** The event's `created`, in seconds (default now). */
  created?: number;
  id?: string;
}

type EventShape = Pick<
  Stripe.Event,
  'id' | 'object' | 'api_version' | 'created' | 'livemode' | 'pending_webhooks' | 'request'
> & { type: string; data: { object: Record<string, unknown> } };

export function stripeEvent(input: StripeEventInput): EventShape {
  return {
    id: input.id ?? stripeId('evt'),
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: input.created ?? Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: input.type,
    data: { object: input.object },
  };
}

export interface PriceInput {
  lookupKey?: string;
  metadata?: Record<string, string>;
}

export interface SubscriptionInput {
  subscriptionId: string;
  customerId: string;
  status: Stripe.Subscription.Status;
  price?: PriceInput;
  /** Seconds; default: a month from `created`. */
  currentPeriodStart?: number;
  currentPeriodEnd?: number;
  created?: number;
}

const MONTH_SECONDS = 30 * 24 * 60 * 60;

export function subscriptionObject(input: SubscriptionInput) {
  const created = input.created ?? Math.floor(Date.now() / 1000);
  const start = input.currentPeriodStart ?? created;
  const end = input.currentPeriodEnd ?? start + MONTH_SECONDS;
  const price = {
    id: stripeId('price'),
    object: 'price',
    active: true,
    currency: 'eur',
    lookup_key: input.price?.lookupKey ?? null,
    metadata: input.price?.metadata ?? {},
    recurring: { interval: 'month', interval_count: 1 },
    type: 'recurring',
    unit_amount: 4900,
  } satisfies Partial<Record<keyof Stripe.Price, unknown>>;
  const item = {
    id: stripeId('si'),
    object: 'subscription_item',
    current_period_start: start,
    current_period_end: end,
    price,
    quantity: 1,
    subscription: input.subscriptionId,
  } satisfies Partial<Record<keyof Stripe.SubscriptionItem, unknown>>;
  return {
    id: input.subscriptionId,
    object: 'subscription',
    customer: input.customerId,
    status: input.status,
    created,
    start_date: created,
    cancel_at_period_end: false,
    canceled_at: input.status === 'canceled' ? created : null,
    ended_at: input.status === 'canceled' ? created : null,
    collection_method: 'charge_automatically',
    currency: 'eur',
    livemode: false,
    metadata: {},
    items: {
      object: 'list',
      data: [item],
      has_more: false,
      url: `/v1/subscription_items?subscription=${input.subscriptionId}`,
    },
  } satisfies Partial<Record<keyof Stripe.Subscription, unknown>>;
}

export interface CheckoutInput {
  sessionId: string;
  customerId: string;
  subscriptionId?: string;
  email?: string;
  tenantName?: string;
  /** An existing tenant to upgrade (what POST /billing/checkout-session sets). */
  clientReferenceId?: string;
  created?: number;
}

export function checkoutSessionObject(input: CheckoutInput) {
  return {
    id: input.sessionId,
    object: 'checkout.session',
    mode: 'subscription',
    status: 'complete',
    payment_status: 'paid',
    customer: input.customerId,
    subscription: input.subscriptionId ?? null,
    client_reference_id: input.clientReferenceId ?? null,
    customer_details: input.email ? { email: input.email, name: null } : null,
    metadata: input.tenantName ? { tenant_name: input.tenantName } : {},
    created: input.created ?? Math.floor(Date.now() / 1000),
    livemode: false,
    url: null,
  } satisfies Partial<Record<keyof Stripe.Checkout.Session, unknown>>;
}

export interface InvoiceInput {
  invoiceId?: string;
  customerId: string;
  subscriptionId?: string;
  paid: boolean;
  amount?: number;
  /** Seconds; for a failed payment, when Stripe tries again (default in 3 days). */
  nextPaymentAttempt?: number | null;
  created?: number;
}

export function invoiceObject(input: InvoiceInput) {
  const created = input.created ?? Math.floor(Date.now() / 1000);
  const amount = input.amount ?? 4900;
  const invoiceId = input.invoiceId ?? stripeId('in');
  return {
    id: invoiceId,
    object: 'invoice',
    customer: input.customerId,
    parent: input.subscriptionId
      ? {
          type: 'subscription_details',
          quote_details: null,
          subscription_details: { subscription: input.subscriptionId, metadata: {} },
        }
      : null,
    amount_due: amount,
    amount_paid: input.paid ? amount : 0,
    amount_remaining: input.paid ? 0 : amount,
    attempt_count: 1,
    attempted: true,
    currency: 'eur',
    status: input.paid ? 'paid' : 'open',
    hosted_invoice_url: `https://invoice.stripe.com/i/acct_local/test_${invoiceId}`,
    next_payment_attempt: input.paid ? null : (input.nextPaymentAttempt ?? created + 3 * 24 * 60 * 60),
    created,
    livemode: false,
  } satisfies Partial<Record<keyof Stripe.Invoice, unknown>>;
}

/** The body and the `Stripe-Signature` header, signed with the webhook secret as Stripe signs. */
export function signedWebhook(
  event: object,
  secret: string,
  timestamp?: number,
): { body: string; signature: string } {
  const body = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret,
    ...(timestamp === undefined ? {} : { timestamp }),
  });
  return { body, signature };
}

/** POSTs a signed event to billing's webhook; answers the status and the parsed body. */
export async function sendWebhook(
  apiUrl: string,
  event: object,
  secret: string,
  options: { timestamp?: number; signature?: string } = {},
): Promise<{ status: number; body: unknown }> {
  const signed = signedWebhook(event, secret, options.timestamp);
  const response = await fetch(`${apiUrl}/billing/stripe/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'stripe-signature': options.signature ?? signed.signature,
    },
    body: signed.body,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, body };
}

/** `k=v` pairs (repeated `--price-metadata`) as an object; throws on a pair without `=`. */
export function parseMetadata(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new Error(`--price-metadata takes key=value, got "${pair}"`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}
