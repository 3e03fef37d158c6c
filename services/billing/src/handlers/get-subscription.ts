/** GET /billing/subscription: the tenant's plan, status, limits and current period (admins). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { authenticateAdmin } from '../adapters/caller';
import { tenantViewDeps } from '../app/deps';
import { getSubscriptionView } from '../app/tenant-billing';

export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  handler: async ({ caller }) => jsonResponse(200, await getSubscriptionView(caller, tenantViewDeps())),
});
