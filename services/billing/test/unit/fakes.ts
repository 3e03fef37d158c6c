// In-memory stand-ins for billing's stores with the same conditional semantics as the DynamoDB ones
// (an item written at a revision other than the one read is a conflict; a Stripe event recorded twice
// is a duplicate), so the use cases' ordering and idempotency can be tested exhaustively and fast.
import type { BillingStore, BillingWrite, CommitResult } from '../../src/adapters/billing-store';
import type {
  DedupPart,
  UsageCounter,
  UsageStore,
  UsageThresholdBody,
  UsageWrite,
} from '../../src/adapters/usage-store';
import type {
  CheckoutRecord,
  CustomerRecord,
  Outgoing,
  PendingInvoice,
  SubscriptionRecord,
  TenantBilling,
} from '../../src/domain/billing';
import { loadPlanCatalogue } from '../../src/domain/plans';
import plans from '../../plans.json';

export const catalogue = loadPlanCatalogue(plans);

const clone = <T>(value: T): T => (value === undefined ? value : structuredClone(value));

export class FakeBillingStore implements BillingStore {
  events = new Set<string>();
  subscriptions = new Map<string, SubscriptionRecord>();
  customers = new Map<string, CustomerRecord>();
  checkouts = new Map<string, CheckoutRecord>();
  tenants = new Map<string, TenantBilling>();
  pending = new Map<string, PendingInvoice>();
  published: Outgoing[] = [];
  commits = 0;
  /** Runs before a commit is checked: lets a test slip a concurrent write in between. */
  beforeCommit?: () => Promise<void>;

  async hasStripeEvent(eventId: string) {
    return this.events.has(eventId);
  }
  async getSubscription(id: string) {
    return clone(this.subscriptions.get(id));
  }
  async getCustomer(id: string) {
    return clone(this.customers.get(id));
  }
  async getCheckout(id: string) {
    return clone(this.checkouts.get(id));
  }
  async getTenant(id: string) {
    return clone(this.tenants.get(id));
  }
  async pendingInvoices(customerId: string) {
    return [...this.pending.values()].filter((p) => p.customerId === customerId).map(clone);
  }
  async graceEndingBy(now: Date) {
    return [...this.tenants.values()]
      .filter((t) => t.graceEndsAt && Date.parse(t.graceEndsAt) <= now.getTime())
      .map((t) => t.tenantId);
  }

  async commit(write: BillingWrite): Promise<CommitResult> {
    const hook = this.beforeCommit;
    this.beforeCommit = undefined;
    await hook?.();
    if (write.stripeEvent && this.events.has(write.stripeEvent.eventId)) return 'duplicate';
    const ok = <T extends { revision: number }>(
      map: Map<string, T>,
      key: string,
      read: number | undefined,
    ) => (read === undefined ? !map.has(key) : map.get(key)?.revision === read);
    const { subscription, customer, checkout, tenant } = write;
    if (
      subscription &&
      !ok(this.subscriptions, subscription.record.subscriptionId, subscription.readRevision)
    ) {
      return 'conflict';
    }
    if (customer && !ok(this.customers, customer.record.customerId, customer.readRevision)) return 'conflict';
    if (checkout && !ok(this.checkouts, checkout.record.sessionId, checkout.readRevision)) return 'conflict';
    if (tenant && !ok(this.tenants, tenant.record.tenantId, tenant.readRevision)) return 'conflict';
    if (write.customerUnlinked && this.customers.has(write.customerUnlinked)) return 'conflict';
    for (const p of write.deletePending ?? []) if (!this.pending.has(p.eventId)) return 'conflict';
    this.commits += 1;
    if (write.stripeEvent) this.events.add(write.stripeEvent.eventId);
    const next = (read: number | undefined) => (read ?? 0) + 1;
    if (subscription) {
      this.subscriptions.set(subscription.record.subscriptionId, {
        ...clone(subscription.record),
        revision: next(subscription.readRevision),
      });
    }
    if (customer) {
      this.customers.set(customer.record.customerId, {
        ...clone(customer.record),
        revision: next(customer.readRevision),
      });
    }
    if (checkout) {
      this.checkouts.set(checkout.record.sessionId, {
        ...clone(checkout.record),
        revision: next(checkout.readRevision),
      });
    }
    if (tenant)
      this.tenants.set(tenant.record.tenantId, {
        ...clone(tenant.record),
        revision: next(tenant.readRevision),
      });
    for (const p of write.putPending ?? []) this.pending.set(p.eventId, clone(p));
    for (const p of write.deletePending ?? []) this.pending.delete(p.eventId);
    this.published.push(...clone(write.publish));
    return 'committed';
  }

  /** What was published as SubscriptionChanged for a tenant, in order. */
  changesOf(tenantId: string) {
    return this.published.flatMap((m) =>
      m.type === 'SubscriptionChanged' && m.body.tenantId === tenantId ? [m.body] : [],
    );
  }
}

export class FakeUsageStore implements UsageStore {
  parts = new Map<string, DedupPart>();
  counters = new Map<string, UsageCounter>();
  announced: UsageThresholdBody[] = [];
  writes = 0;
  beforeCommit?: () => Promise<void>;

  async readDedup(tenantId: string, bucket: string) {
    return [...this.parts.entries()]
      .filter(([key]) => key.startsWith(`${tenantId}|${bucket}|`))
      .map(([, part]) => clone(part));
  }
  async getCounter(tenantId: string, periodStart: string) {
    return clone(this.counters.get(`${tenantId}|${periodStart}`));
  }
  async commit(write: UsageWrite): Promise<'committed' | 'conflict'> {
    const hook = this.beforeCommit;
    this.beforeCommit = undefined;
    await hook?.();
    const partKey = (p: DedupPart) => `${write.tenantId}|${p.bucket}|${p.part}`;
    for (const { part, readRevision } of write.dedup) {
      const current = this.parts.get(partKey(part));
      if (readRevision === undefined ? current : current?.revision !== readRevision) return 'conflict';
    }
    for (const { counter, readRevision } of write.counters) {
      const current = this.counters.get(`${write.tenantId}|${counter.period.start}`);
      if (readRevision === undefined ? current : current?.revision !== readRevision) return 'conflict';
    }
    for (const { part, readRevision } of write.dedup) {
      this.parts.set(partKey(part), { ...clone(part), revision: (readRevision ?? 0) + 1 });
    }
    for (const { counter, readRevision } of write.counters) {
      this.counters.set(`${write.tenantId}|${counter.period.start}`, {
        ...clone(counter),
        revision: (readRevision ?? 0) + 1,
      });
    }
    this.announced.push(...clone(write.announce));
    this.writes += write.dedup.length + write.counters.length + write.announce.length;
    return 'committed';
  }
}
