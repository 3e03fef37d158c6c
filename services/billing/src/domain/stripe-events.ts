/**
 * What billing reads of a Stripe event, parsed with zod from the verified body. Field names are
 * Stripe's (the `stripe` package's types: `Stripe.Event`, `Stripe.Checkout.Session`,
 * `Stripe.Subscription`, `Stripe.Invoice`); only the fields billing uses are read, and everything
 * else is tolerated. Both API generations are read: the subscription's period from its first item
 * (since 2025-03) or from the subscription itself, an invoice's subscription from
 * `parent.subscription_details` (since 2025-03) or `subscription`.
 */
import { subscriptionStatus } from '@switchyard/contracts';
import { z } from 'zod';
import type { PriceFacts } from './plans';

export const HANDLED_EVENT_TYPES = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
] as const;
export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];

const id = z.string().min(1).max(255);
/** An expandable field: the id, or the expanded object with its id. */
const ref = z.union([id, z.object({ id }).transform((o) => o.id)]);
const metadata = z
  .record(z.string(), z.string())
  .nullish()
  .transform((m) => m ?? {});
const epochSeconds = z.number().int().nonnegative();

export const stripeEventEnvelope = z.object({
  id,
  object: z.literal('event'),
  type: z.string().min(1).max(255),
  created: epochSeconds,
  livemode: z.boolean().optional(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const checkoutSession = z.object({
  id,
  object: z.literal('checkout.session'),
  mode: z.string().optional(),
  customer: ref.nullish(),
  subscription: ref.nullish(),
  client_reference_id: z.string().max(200).nullish(),
  customer_details: z.object({ email: z.string().max(254).nullish() }).nullish(),
  customer_email: z.string().max(254).nullish(),
  metadata,
  created: epochSeconds.optional(),
});

const price = z.object({
  id: id.optional(),
  lookup_key: z.string().min(1).max(200).nullish(),
  metadata,
});

const subscription = z.object({
  id,
  object: z.literal('subscription'),
  customer: ref,
  status: z.string().min(1).max(64),
  current_period_start: epochSeconds.nullish(),
  current_period_end: epochSeconds.nullish(),
  items: z
    .object({
      data: z.array(
        z.object({
          price: price.nullish(),
          current_period_start: epochSeconds.nullish(),
          current_period_end: epochSeconds.nullish(),
        }),
      ),
    })
    .nullish(),
});

const invoice = z.object({
  id,
  object: z.literal('invoice'),
  customer: ref.nullish(),
  subscription: ref.nullish(),
  parent: z.object({ subscription_details: z.object({ subscription: ref }).nullish() }).nullish(),
  amount_due: z.number().int().nonnegative(),
  amount_paid: z.number().int().nonnegative(),
  currency: z.string().regex(/^[a-zA-Z]{3}$/),
  hosted_invoice_url: z.string().max(2048).nullish(),
  attempt_count: z.number().int().nonnegative().default(0),
  next_payment_attempt: epochSeconds.nullish(),
});

/** Stripe's subscription statuses, as SubscriptionChanged carries them. */
export const SUBSCRIPTION_STATUSES = subscriptionStatus.options;
export type SubscriptionStatus = z.infer<typeof subscriptionStatus>;

/** A subscription as the event carries it. */
export interface SubscriptionSnapshot {
  subscriptionId: string;
  customerId: string;
  status: SubscriptionStatus;
  price: PriceFacts;
  currentPeriodStart?: string;
  currentPeriodEnd?: string;
}

export interface CheckoutFacts {
  sessionId: string;
  customerId: string;
  subscriptionId?: string;
  email?: string;
  tenantName?: string;
  clientReferenceId?: string;
}

export interface InvoiceFacts {
  invoiceId: string;
  customerId: string;
  subscriptionId?: string;
  amountDue: number;
  amountPaid: number;
  currency: string;
  hostedInvoiceUrl?: string;
  attemptCount: number;
  nextPaymentAttempt?: string;
}

interface EventBase {
  eventId: string;
  type: string;
  /** The event's `created`, in seconds: the order billing applies state in. */
  created: number;
}

export type StripeEventFacts =
  | (EventBase & { kind: 'checkout'; checkout: CheckoutFacts })
  | (EventBase & { kind: 'subscription'; subscription: SubscriptionSnapshot })
  | (EventBase & { kind: 'invoice'; outcome: 'paid' | 'payment_failed'; invoice: InvoiceFacts })
  | (EventBase & { kind: 'ignored'; reason: string });

export const isoFromEpoch = (seconds: number): string => new Date(seconds * 1000).toISOString();

const optional = <T>(value: T | null | undefined): T | undefined => value ?? undefined;

/**
 * The facts of a verified Stripe event. Throws a ZodError when a handled type lacks a field billing
 * needs (the webhook answers 400 and Stripe shows it as failed). Unhandled types, and checkouts
 * without a customer (one-off payments), are `ignored`.
 */
export function parseStripeEvent(body: unknown): StripeEventFacts {
  const event = stripeEventEnvelope.parse(body);
  const base = { eventId: event.id, type: event.type, created: event.created };
  const object = event.data.object;
  switch (event.type) {
    case 'checkout.session.completed': {
      const session = checkoutSession.parse(object);
      if (!session.customer) return { ...base, kind: 'ignored', reason: 'checkout without a customer' };
      const email = session.customer_details?.email ?? session.customer_email;
      const tenantName = session.metadata.tenant_name?.trim().slice(0, 100);
      return {
        ...base,
        kind: 'checkout',
        checkout: {
          sessionId: session.id,
          customerId: session.customer,
          ...(session.subscription ? { subscriptionId: session.subscription } : {}),
          ...(email ? { email: email.trim().toLowerCase() } : {}),
          ...(tenantName ? { tenantName } : {}),
          ...(session.client_reference_id ? { clientReferenceId: session.client_reference_id } : {}),
        },
      };
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const sub = subscription.parse(object);
      const item = sub.items?.data[0];
      const start = optional(item?.current_period_start) ?? optional(sub.current_period_start);
      const end = optional(item?.current_period_end) ?? optional(sub.current_period_end);
      const known = (SUBSCRIPTION_STATUSES as readonly string[]).includes(sub.status);
      return {
        ...base,
        kind: 'subscription',
        subscription: {
          subscriptionId: sub.id,
          customerId: sub.customer,
          // A status Stripe adds later is treated as not paid for (refused) until billing knows it.
          status: known ? (sub.status as SubscriptionStatus) : 'incomplete',
          price: {
            ...(item?.price?.id ? { priceId: item.price.id } : {}),
            ...(item?.price?.lookup_key ? { lookupKey: item.price.lookup_key } : {}),
            metadata: item?.price?.metadata ?? {},
          },
          ...(start !== undefined ? { currentPeriodStart: isoFromEpoch(start) } : {}),
          ...(end !== undefined ? { currentPeriodEnd: isoFromEpoch(end) } : {}),
        },
      };
    }
    case 'invoice.paid':
    case 'invoice.payment_failed': {
      const inv = invoice.parse(object);
      if (!inv.customer) return { ...base, kind: 'ignored', reason: 'invoice without a customer' };
      const subscriptionId =
        optional(inv.parent?.subscription_details?.subscription) ?? optional(inv.subscription);
      return {
        ...base,
        kind: 'invoice',
        outcome: event.type === 'invoice.paid' ? 'paid' : 'payment_failed',
        invoice: {
          invoiceId: inv.id,
          customerId: inv.customer,
          ...(subscriptionId ? { subscriptionId } : {}),
          amountDue: inv.amount_due,
          amountPaid: inv.amount_paid,
          currency: inv.currency.toLowerCase(),
          ...(inv.hosted_invoice_url ? { hostedInvoiceUrl: inv.hosted_invoice_url } : {}),
          attemptCount: inv.attempt_count,
          ...(inv.next_payment_attempt ? { nextPaymentAttempt: isoFromEpoch(inv.next_payment_attempt) } : {}),
        },
      };
    }
    default:
      return { ...base, kind: 'ignored', reason: 'event type not handled' };
  }
}

/** The order of subscription events created in the same second: created, then updated, then deleted. */
export function subscriptionEventRank(type: string): number {
  if (type.endsWith('.deleted')) return 2;
  if (type.endsWith('.updated')) return 1;
  return 0;
}
