/**
 * Every minute: queues the retries whose long wait (kept in the table's `due` index) ends soon
 * (../app/sweep-due-retries.ts).
 */
import { createScheduledHandler } from '@switchyard/runtime';
import { sweepDeps, sweepDueRetries } from '../app/sweep-due-retries';

export const handler = createScheduledHandler({
  name: 'sweep-due-retries',
  run: async ({ context }) => sweepDueRetries(sweepDeps(context.getRemainingTimeInMillis?.() ?? 60_000)),
});
