/**
 * POST /billing/stripe/webhook (no credentials: Stripe's signature is the authentication). The body
 * is verified as raw bytes, then handled once per Stripe event id (../app/stripe-webhook.ts). A
 * missing or wrong signature is a 400 and nothing is stored; a duplicate is a 200 that changes nothing.
 */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { receiveStripeWebhook } from '../app/stripe-webhook';
import { webhookDeps } from '../app/deps';
import { rawBody } from '../http/raw-body';

export const handler = createHttpHandler({
  // Stripe's events are a few KB; 256 KB leaves room for large invoices.
  maxBodyBytes: 256 * 1024,
  handler: async ({ event, headers }) => {
    const result = await receiveStripeWebhook(rawBody(event), headers['stripe-signature'], webhookDeps());
    return jsonResponse(200, { received: true, outcome: result.outcome });
  },
});
