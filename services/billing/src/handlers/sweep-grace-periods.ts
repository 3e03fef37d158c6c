/** Every minute: past_due tenants whose grace has ended are refused (../app/grace.ts). */
import { createScheduledHandler } from '@switchyard/runtime';
import { billingDeps } from '../app/deps';
import { sweepGraceEnds } from '../app/grace';

export const handler = createScheduledHandler({
  name: 'sweep-grace-periods',
  run: () => sweepGraceEnds(billingDeps()),
});
