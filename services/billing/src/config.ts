import { defineConfig } from '@switchyard/runtime';
import { z } from 'zod';

/**
 * billing's environment (provider.environment in serverless.yml), read once per container. Secrets
 * are never here on AWS: the Stripe webhook signing secret and API key are read from Secrets
 * Manager by name. Only the local cloud passes STRIPE_WEBHOOK_SECRET (and STRIPE_SECRET_KEY when the
 * developer's shell has one), since it has no Secrets Manager.
 */
export const config = defineConfig(
  z.object({
    /** `billing-<stage>`: subscriptions, customers, checkouts, tenants' billing, Stripe events, outbox. */
    BILLING_TABLE: z.string().min(1),
    /** `billing-<stage>-usage`: usage counters and their dedup sets (no stream). */
    USAGE_TABLE: z.string().min(1),
    EVENT_BUS_NAME: z.string().min(1),
    STAGE: z.string().min(1),
    /** Secrets Manager name of the webhook signing secret (`whsec_…`). */
    STRIPE_WEBHOOK_SECRET_ID: z.string().min(1),
    /** Secrets Manager name of the Stripe API key (`sk_…` or a restricted `rk_…`). */
    STRIPE_SECRET_KEY_ID: z.string().min(1),
    /** Local cloud only (see above). */
    STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
    STRIPE_SECRET_KEY: z.string().min(1).optional(),
    /** Where the Stripe SDK sends API calls: api.stripe.com unless a test points it at a fake. */
    STRIPE_API_HOST: z.string().min(1).optional(),
    STRIPE_API_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
    STRIPE_API_PROTOCOL: z.enum(['http', 'https']).optional(),
    /** How long a past_due subscription stays entitled (default 3 days). */
    PAST_DUE_GRACE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .default(3 * 24 * 60 * 60),
    /** Where Stripe Checkout and the portal send the browser back. */
    CHECKOUT_SUCCESS_URL: z.url().default('https://switchyard.dev/billing/success'),
    CHECKOUT_CANCEL_URL: z.url().default('https://switchyard.dev/billing/cancel'),
    PORTAL_RETURN_URL: z.url().default('https://switchyard.dev/billing'),
  }),
);

/** What the API functions also need: the people's token issuer (identity exports it). */
export const apiConfig = defineConfig(
  z.object({
    BILLING_TABLE: z.string().min(1),
    PEOPLE_ISSUER_URL: z.url(),
    PEOPLE_CLIENT_ID: z.string().min(1),
  }),
);
