import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const CheckoutLinked = defineContract({
  service: 'identity',
  detailType: 'CheckoutLinked',
  version: 1,
  description:
    "A checkout's e-mail already belongs to a person, so identity created no tenant: the checkout " +
    "upgrades that person's tenant (the header `tenantId`). Billing links the Stripe customer to it, " +
    'as it does from TenantCreated for a new tenant.',
  body: {
    checkoutSessionId: identifier().describe('Stripe Checkout session id (cs_…).'),
    userId: identifier().describe('The person the e-mail belongs to.'),
    reason: z.enum(['email_belongs_to_person']),
    linkedAt: timestamp(),
  },
});
export type CheckoutLinked = MessageOf<typeof CheckoutLinked>;
