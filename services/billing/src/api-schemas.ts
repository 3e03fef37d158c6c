import { z } from 'zod';

export const checkoutSessionRequest = z.strictObject({
  priceLookupKey: z
    .string()
    .min(1)
    .max(200)
    .describe("The Stripe price's `lookup_key` (e.g. pro_monthly; see plans.json)."),
});
export type CheckoutSessionRequest = z.infer<typeof checkoutSessionRequest>;
