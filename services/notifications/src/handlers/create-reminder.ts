/** POST /notifications/reminders: a tenant admin schedules an e-mail to people or to the admins. */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { authenticateTenantAdmin } from '../adapters/caller';
import { reminderDeps } from '../app/deps';
import { createReminder } from '../app/reminders';
import { createReminderRequest } from '../domain/reminders';

export const handler = createHttpHandler({
  authenticate: authenticateTenantAdmin,
  body: createReminderRequest,
  maxBodyBytes: 16 * 1024,
  handler: async ({ caller, body }) => jsonResponse(201, await createReminder(caller, body, reminderDeps())),
});
