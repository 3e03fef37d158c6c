import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const InvoicePaymentFailed = defineContract({
  service: 'billing',
  detailType: 'InvoicePaymentFailed',
  version: 1,
  description:
    "Stripe could not collect an invoice of the tenant's subscription (`invoice.payment_failed`). " +
    "Carries what an e-mail to the tenant's admins needs: the amount, the hosted invoice page where " +
    'they can pay, and when Stripe tries again. Published once per Stripe event.',
  body: {
    invoiceId: identifier().describe('Stripe invoice id (in_…).'),
    customerId: identifier(),
    subscriptionId: identifier().optional(),
    amountDue: z.number().int().nonnegative().describe('In the smallest unit of `currency` (cents).'),
    currency: z
      .string()
      .regex(/^[a-z]{3}$/, 'ISO 4217, lowercase')
      .describe('e.g. eur, usd.'),
    hostedInvoiceUrl: z.url().max(2048).optional().describe("Stripe's page where the invoice can be paid."),
    attemptCount: z.number().int().nonnegative().describe('Payment attempts made so far.'),
    nextPaymentAttempt: timestamp()
      .optional()
      .describe('When Stripe tries again; absent when it will not retry.'),
    failedAt: timestamp().describe("The Stripe event's `created`."),
  },
});
export type InvoicePaymentFailed = MessageOf<typeof InvoicePaymentFailed>;
