/**
 * The tenant's view of its billing (admins only): its plan, status, limits and period; its usage so
 * far this period; and the Stripe pages to subscribe (Checkout) or manage the subscription (portal).
 */
import { conflict, HttpError, logger, notFound } from '@switchyard/runtime';
import type { BillingStore } from '../adapters/billing-store';
import type { StripeGateway } from '../adapters/stripe';
import { StripeNotConfiguredError } from '../adapters/stripe';
import type { UsageStore } from '../adapters/usage-store';
import type { TenantAdmin } from '../adapters/caller';
import { currentState, TERMINAL_STATUSES } from '../domain/billing';
import { limitsView } from '../domain/plans';
import type { PlanCatalogue } from '../domain/plans';
import { currentPeriod, usageView } from '../domain/usage';

export interface TenantViewDeps {
  store: Pick<BillingStore, 'getTenant'>;
  usage: Pick<UsageStore, 'getCounter'>;
  catalogue: PlanCatalogue;
  now: () => Date;
}

export async function getSubscriptionView(caller: TenantAdmin, deps: TenantViewDeps) {
  const tenant = await deps.store.getTenant(caller.tenantId);
  const state = currentState(tenant, deps.catalogue.free);
  const period = currentPeriod(tenant, deps.now());
  return {
    tenant_id: caller.tenantId,
    plan: state.plan,
    status: state.status,
    entitled: state.entitled,
    limits: limitsView(state.quotas),
    period: { start: period.start, end: period.end ?? null },
    subscription_id: tenant?.state ? (tenant.subscriptionId ?? null) : null,
    grace_ends_at: tenant?.graceEndsAt ?? null,
  };
}

export async function getUsageView(caller: TenantAdmin, deps: TenantViewDeps) {
  const tenant = await deps.store.getTenant(caller.tenantId);
  const state = currentState(tenant, deps.catalogue.free);
  const period = currentPeriod(tenant, deps.now());
  const counter = await deps.usage.getCounter(caller.tenantId, period.start);
  return {
    tenant_id: caller.tenantId,
    plan: state.plan,
    period: { start: period.start, end: period.end ?? null },
    usage: usageView(counter?.used ?? { events: 0, agent_queries: 0 }, state),
  };
}

export interface CheckoutDeps {
  store: Pick<BillingStore, 'getTenant'>;
  stripe: StripeGateway;
}

/** Stripe failed or is not configured: the caller can do nothing but retry later. */
function stripeUnavailable(error: unknown): HttpError {
  if (error instanceof StripeNotConfiguredError) {
    return new HttpError(503, 'stripe_not_configured', 'Stripe is not configured on this stage.');
  }
  logger.error('stripe_call_failed', { error });
  return new HttpError(502, 'stripe_unavailable', 'Stripe could not be reached; try again later.');
}

export async function createCheckoutSession(
  caller: TenantAdmin,
  input: { priceLookupKey: string },
  deps: CheckoutDeps,
): Promise<{ id: string; url: string }> {
  const tenant = await deps.store.getTenant(caller.tenantId);
  const status = tenant?.state?.status;
  if (tenant?.subscriptionId && status && !TERMINAL_STATUSES.has(status)) {
    throw conflict('The tenant already has a subscription; change its plan in the billing portal.', {
      code: 'subscription_exists',
    });
  }
  let priceId: string | undefined;
  try {
    priceId = await deps.stripe.priceIdByLookupKey(input.priceLookupKey);
  } catch (error) {
    throw stripeUnavailable(error);
  }
  if (!priceId) throw notFound('No active price has this lookup key.', { code: 'unknown_price' });
  try {
    return await deps.stripe.createCheckoutSession({
      tenantId: caller.tenantId,
      ...(tenant?.customerId ? { customerId: tenant.customerId } : {}),
      priceLookupKey: input.priceLookupKey,
      priceId,
    });
  } catch (error) {
    throw stripeUnavailable(error);
  }
}

export async function createPortalSession(caller: TenantAdmin, deps: CheckoutDeps): Promise<{ url: string }> {
  const tenant = await deps.store.getTenant(caller.tenantId);
  if (!tenant?.customerId) {
    throw conflict('The tenant has no Stripe customer yet; subscribe through a checkout first.', {
      code: 'no_customer',
    });
  }
  try {
    return await deps.stripe.createPortalSession(tenant.customerId);
  } catch (error) {
    throw stripeUnavailable(error);
  }
}
