/** GET /notifications/reminders: the tenant's reminders (a tenant admin). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { authenticateTenantAdmin } from '../adapters/caller';
import { reminderDeps } from '../app/deps';
import { listReminders } from '../app/reminders';

export const handler = createHttpHandler({
  authenticate: authenticateTenantAdmin,
  handler: async ({ caller }) => jsonResponse(200, await listReminders(caller, reminderDeps())),
});
