/**
 * Linking a Stripe customer (and its subscription) to a tenant: the step every path to a tenant
 * shares (a checkout naming its tenant, a returning customer, the tenant identity created for a
 * checkout). What billing kept about the subscription and the invoices waiting for the customer's
 * tenant are applied in the same write, so nothing that came early is lost.
 */
import type { BillingStore, BillingWrite } from '../adapters/billing-store';
import type { TenantBilling } from '../domain/billing';
import { invoiceMessage, publishChange, tenantUnderSubscription } from '../domain/billing';
import type { PlanCatalogue } from '../domain/plans';

export interface BillingDeps {
  store: BillingStore;
  catalogue: PlanCatalogue;
  /** How long a past_due subscription stays entitled. */
  graceSeconds: number;
  now: () => Date;
}

/** A write is retried this often when another writer changed what it read (then Stripe/SQS retry). */
export const MAX_WRITE_ATTEMPTS = 6;

export interface LinkInput {
  tenantId: string;
  customerId: string;
  subscriptionId?: string;
}

/** The items a link changes and the messages it publishes (without the caller's own items). */
export async function linkWrite(input: LinkInput, deps: BillingDeps): Promise<BillingWrite> {
  const { store } = deps;
  const [customer, subscription, tenant, pending] = await Promise.all([
    store.getCustomer(input.customerId),
    input.subscriptionId ? store.getSubscription(input.subscriptionId) : Promise.resolve(undefined),
    store.getTenant(input.tenantId),
    store.pendingInvoices(input.customerId),
  ]);
  const write: BillingWrite = { publish: [] };
  if (customer?.tenantId !== input.tenantId) {
    write.customer = {
      record: { customerId: input.customerId, tenantId: input.tenantId, revision: customer?.revision ?? 0 },
      readRevision: customer?.revision,
    };
  }
  const base: TenantBilling = {
    ...(tenant ?? { tenantId: input.tenantId, revision: 0 }),
    customerId: input.customerId,
  };
  let next: TenantBilling = base;
  if (input.subscriptionId) {
    if (subscription?.tenantId !== input.tenantId) {
      write.subscription = {
        record: {
          ...(subscription ?? { subscriptionId: input.subscriptionId, revision: 0 }),
          tenantId: input.tenantId,
        },
        readRevision: subscription?.revision,
      };
    }
    next =
      subscription?.snapshot && subscription.stamp
        ? tenantUnderSubscription(base, subscription.snapshot, {
            now: deps.now(),
            graceSeconds: deps.graceSeconds,
            eventAt: new Date(subscription.stamp.created * 1000),
            catalogue: deps.catalogue,
          })
        : { ...base, subscriptionId: input.subscriptionId };
  }
  const published = publishChange(tenant, next, deps.now());
  if (published.message) write.publish.push({ type: 'SubscriptionChanged', body: published.message });
  if (!tenant || JSON.stringify(published.tenant) !== JSON.stringify(tenant)) {
    write.tenant = { record: published.tenant, readRevision: tenant?.revision };
  }
  if (pending.length > 0) {
    write.deletePending = pending;
    write.publish.push(...pending.map((p) => invoiceMessage(p, input.tenantId)));
  }
  return write;
}

/** Runs `attempt` until its write commits or is a duplicate; a persisting conflict is an error. */
export async function withRetries<T>(
  attempt: () => Promise<{ write: BillingWrite; outcome: T }>,
  store: Pick<BillingStore, 'commit'>,
): Promise<T | 'duplicate'> {
  for (let i = 1; i <= MAX_WRITE_ATTEMPTS; i++) {
    const { write, outcome } = await attempt();
    const result = await store.commit(write);
    if (result === 'committed') return outcome;
    if (result === 'duplicate') return 'duplicate';
    await new Promise((done) => setTimeout(done, Math.random() * 20 * i));
  }
  throw new Error(`billing write kept conflicting after ${MAX_WRITE_ATTEMPTS} attempts`);
}
