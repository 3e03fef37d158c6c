/** DELETE /notifications/reminders/{reminderId}: cancels a waiting reminder (idempotent; 404 if unknown). */
import { createHttpHandler, jsonResponse } from '@switchyard/runtime';
import { authenticateTenantAdmin } from '../adapters/caller';
import { reminderDeps } from '../app/deps';
import { cancelReminder } from '../app/reminders';
import { reminderIdSchema } from '../domain/reminders';

export const handler = createHttpHandler({
  authenticate: authenticateTenantAdmin,
  path: reminderIdSchema,
  handler: async ({ caller, path }) => {
    await cancelReminder(caller, path.reminderId, reminderDeps());
    return jsonResponse(204);
  },
});
