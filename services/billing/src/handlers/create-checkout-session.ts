/** POST /billing/checkout-session {priceLookupKey}: a Stripe Checkout page for the tenant (admins). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { checkoutSessionRequest } from '../api-schemas';
import { authenticateAdmin } from '../adapters/caller';
import { checkoutDeps } from '../app/deps';
import { createCheckoutSession } from '../app/tenant-billing';

export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  body: checkoutSessionRequest,
  maxBodyBytes: 4 * 1024,
  handler: async ({ caller, body }) =>
    jsonResponse(201, await createCheckoutSession(caller, body, checkoutDeps())),
});
