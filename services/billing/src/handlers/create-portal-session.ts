/** POST /billing/portal-session: a Stripe customer portal page for the tenant's customer (admins). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { authenticateAdmin } from '../adapters/caller';
import { checkoutDeps } from '../app/deps';
import { createPortalSession } from '../app/tenant-billing';

export const handler = createHttpHandler({
  authenticate: authenticateAdmin,
  handler: async ({ caller }) => jsonResponse(201, await createPortalSession(caller, checkoutDeps())),
});
