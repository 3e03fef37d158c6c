import { createStreamConsumer, isOutboxItem } from '@switchyard/runtime';
import { lifecycleDeps } from '../app/deps';
import { followUserEvent } from '../app/user-lifecycle';

/**
 * identity's table stream, beside publish-outbox: what follows a person's change (the invitation
 * e-mail, revoking the keys of someone suspended or removed), from the change's outbox event.
 */
export const handler = createStreamConsumer({
  handleRecord: async (change) => {
    if (change.eventName !== 'INSERT' || !isOutboxItem(change.newImage)) return;
    await followUserEvent(lifecycleDeps(), change.newImage);
  },
});
