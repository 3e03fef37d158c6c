/**
 * Every minute: tenants whose past_due grace has ended (the table's `graceDue` index) are refused
 * from now on, and SubscriptionChanged says so (`entitled: false`). A durable schedule, not a timer:
 * the due time is in the table, so a missed run is caught up by the next.
 */
import { logger } from '@switchyard/runtime';
import { endGrace, publishChange } from '../domain/billing';
import type { BillingDeps } from './links';

export const SWEEP_PAGE = 100;

export async function sweepGraceEnds(deps: BillingDeps): Promise<{ refused: number; skipped: number }> {
  const now = deps.now();
  let refused = 0;
  let skipped = 0;
  for (const tenantId of await deps.store.graceEndingBy(now, SWEEP_PAGE)) {
    const tenant = await deps.store.getTenant(tenantId);
    const ended = tenant ? endGrace(tenant, now) : undefined;
    if (!tenant || !ended) {
      skipped += 1;
      continue;
    }
    const published = publishChange(tenant, ended, now);
    const result = await deps.store.commit({
      tenant: { record: published.tenant, readRevision: tenant.revision },
      publish: published.message ? [{ type: 'SubscriptionChanged', body: published.message }] : [],
    });
    // A tenant changed meanwhile (a payment came in) is looked at again on the next run, if still due.
    if (result === 'committed') {
      refused += 1;
      logger.info('grace_ended', { tenantId, graceEndsAt: tenant.graceEndsAt });
    } else skipped += 1;
  }
  return { refused, skipped };
}
