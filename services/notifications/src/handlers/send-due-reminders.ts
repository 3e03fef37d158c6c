/** Every minute: reminders whose time has come are e-mailed, once (../app/reminders.ts). */
import { createScheduledHandler } from '@switchyard/runtime';
import { reminderSweepDeps } from '../app/deps';
import { sendDueReminders } from '../app/reminders';

export const handler = createScheduledHandler({
  name: 'send-due-reminders',
  run: () => sendDueReminders(reminderSweepDeps()),
});
