/** GET /billing/usage: usage so far this billing period and the share of each limit (admins). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { authenticateAdmin } from '../adapters/caller';
import { tenantViewDeps } from '../app/deps';
import { getUsageView } from '../app/tenant-billing';

export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  handler: async ({ caller }) => jsonResponse(200, await getUsageView(caller, tenantViewDeps())),
});
