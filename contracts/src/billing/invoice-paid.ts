import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const InvoicePaid = defineContract({
  service: 'billing',
  detailType: 'InvoicePaid',
  version: 1,
  description:
    "An invoice of the tenant's subscription was paid (`invoice.paid`), e.g. for a receipt e-mail. " +
    'Published once per Stripe event.',
  body: {
    invoiceId: identifier().describe('Stripe invoice id (in_…).'),
    customerId: identifier(),
    subscriptionId: identifier().optional(),
    amountPaid: z.number().int().nonnegative().describe('In the smallest unit of `currency` (cents).'),
    currency: z.string().regex(/^[a-z]{3}$/, 'ISO 4217, lowercase'),
    hostedInvoiceUrl: z.url().max(2048).optional(),
    paidAt: timestamp().describe("The Stripe event's `created`."),
  },
});
export type InvoicePaid = MessageOf<typeof InvoicePaid>;
