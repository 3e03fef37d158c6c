/**
 * identity's TenantCreated and CheckoutLinked (bus rule → `billing-<stage>-tenants`): a checkout's
 * customer linked to its tenant, or a new tenant started on the free plan (../app/tenants.ts).
 */
import { CheckoutLinked, TenantCreated } from '@switchyard/contracts';
import { createSqsConsumer } from '@switchyard/runtime';
import { billingDeps } from '../app/deps';
import { linkCheckout, startFreePlan } from '../app/tenants';

export const handler = createSqsConsumer({
  contract: [TenantCreated, CheckoutLinked],
  handleMessage: async (message) => {
    const sessionId = message.checkoutSessionId;
    if (sessionId) await linkCheckout(sessionId, message.tenantId, billingDeps());
    else await startFreePlan(message.tenantId, billingDeps());
  },
});
