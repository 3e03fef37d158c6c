/** The composition root: the adapters each group of use cases runs on, built from the environment. */
import { billingStore } from '../adapters/billing-store';
import { planCatalogue } from '../adapters/plans-file';
import { stripeGateway, verifyStripeWebhook } from '../adapters/stripe';
import { usageStore } from '../adapters/usage-store';
import { config } from '../config';
import type { BillingDeps } from './links';
import type { MeterDeps } from './meter-usage';
import type { WebhookDeps } from './stripe-webhook';
import type { CheckoutDeps, TenantViewDeps } from './tenant-billing';

export function billingDeps(): BillingDeps {
  return {
    store: billingStore(),
    catalogue: planCatalogue(),
    graceSeconds: config().PAST_DUE_GRACE_SECONDS,
    now: () => new Date(),
  };
}

export function webhookDeps(): WebhookDeps {
  return { ...billingDeps(), verify: verifyStripeWebhook };
}

export function meterDeps(): MeterDeps {
  return { usage: usageStore(), billing: billingStore(), catalogue: planCatalogue(), now: () => new Date() };
}

export function tenantViewDeps(): TenantViewDeps {
  return { store: billingStore(), usage: usageStore(), catalogue: planCatalogue(), now: () => new Date() };
}

export function checkoutDeps(): CheckoutDeps {
  return { store: billingStore(), stripe: stripeGateway() };
}
