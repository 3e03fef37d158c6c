import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { email, identifier, timestamp } from '../fields';

export const CheckoutCompleted = defineContract({
  service: 'billing',
  detailType: 'CheckoutCompleted',
  version: 1,
  description:
    'A Stripe Checkout session completed for a customer no tenant owns yet; identity creates the ' +
    'tenant and its first admin (one per checkout session, however often this arrives). The header ' +
    '`tenantId` is `_platform`: no tenant exists yet. A checkout for a known tenant (its ' +
    '`client_reference_id`, or a customer already linked) publishes SubscriptionChanged instead.',
  body: {
    checkoutSessionId: identifier().describe('Stripe Checkout session id (cs_…); the idempotency key.'),
    customerId: identifier().describe('Stripe customer id (cus_…).'),
    subscriptionId: identifier()
      .optional()
      .describe('Stripe subscription id (sub_…), when the session made one.'),
    email: email().describe("The payer's e-mail (`customer_details.email`): the first admin's address."),
    tenantName: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe('`metadata.tenant_name` of the session, when the checkout asked for one.'),
    completedAt: timestamp().describe('When Stripe completed the session (its event `created`).'),
  },
});
export type CheckoutCompleted = MessageOf<typeof CheckoutCompleted>;
