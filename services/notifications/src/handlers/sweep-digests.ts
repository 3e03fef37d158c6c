/** Every minute: the digest of every window that has closed (../app/digests.ts). */
import { createScheduledHandler } from '@switchyard/runtime';
import { notifyDeps } from '../app/deps';
import { sweepDigests } from '../app/digests';

export const handler = createScheduledHandler({
  name: 'sweep-digests',
  run: () => sweepDigests(notifyDeps()),
});
