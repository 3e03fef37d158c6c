/**
 * identity's answers to a checkout, and tenants billing hears of:
 *
 * - TenantCreated with `checkoutSessionId` (identity created the tenant for a checkout) and
 *   CheckoutLinked (the checkout's e-mail already belonged to a person: that person's tenant) link the
 *   checkout's customer and subscription to the tenant (./links.ts);
 * - TenantCreated without one starts the tenant on the free plan: billing publishes its
 *   SubscriptionChanged, so ingest enforces the free plan's limits.
 *
 * Both are idempotent: a checkout already linked to the tenant, or a tenant billing already holds,
 * changes nothing.
 */
import { logger } from '@switchyard/runtime';
import { freeState, publishChange } from '../domain/billing';
import type { BillingDeps } from './links';
import { linkWrite, withRetries } from './links';

export async function linkCheckout(
  sessionId: string,
  tenantId: string,
  deps: BillingDeps,
): Promise<'linked' | 'already_linked' | 'duplicate'> {
  const outcome = await withRetries(async () => {
    const checkout = await deps.store.getCheckout(sessionId);
    // Billing stores the checkout before it publishes CheckoutCompleted: this is a bug or a message
    // from another stage, so it fails (and ends in the DLQ with its alarm) rather than vanishing.
    if (!checkout) throw new Error(`checkout ${sessionId} is unknown to billing`);
    if (checkout.tenantId === tenantId) {
      return { write: { publish: [] }, outcome: 'already_linked' as const };
    }
    const link = await linkWrite(
      {
        tenantId,
        customerId: checkout.customerId,
        ...(checkout.subscriptionId ? { subscriptionId: checkout.subscriptionId } : {}),
      },
      deps,
    );
    return {
      write: { ...link, checkout: { record: { ...checkout, tenantId }, readRevision: checkout.revision } },
      outcome: 'linked' as const,
    };
  }, deps.store);
  logger.info('checkout_linked', { sessionId, tenantId, outcome });
  return outcome;
}

export async function startFreePlan(
  tenantId: string,
  deps: BillingDeps,
): Promise<'started' | 'exists' | 'duplicate'> {
  return withRetries(async () => {
    if (await deps.store.getTenant(tenantId)) return { write: { publish: [] }, outcome: 'exists' as const };
    const published = publishChange(
      undefined,
      { tenantId, state: freeState(deps.catalogue.free), revision: 0 },
      deps.now(),
    );
    return {
      write: {
        tenant: { record: published.tenant, readRevision: undefined },
        publish: published.message ? [{ type: 'SubscriptionChanged' as const, body: published.message }] : [],
      },
      outcome: 'started' as const,
    };
  }, deps.store);
}
