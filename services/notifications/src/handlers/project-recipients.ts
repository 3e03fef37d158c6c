/** identity's TenantCreated and user events (bus rule → `notifications-<stage>-recipients`) → recipients. */
import { TenantCreated, UserCreated, UserRemoved, UserUpdated } from '@switchyard/contracts';
import { createSqsConsumer } from '@switchyard/runtime';
import { notificationsStore } from '../adapters/notifications-store';
import type { PeopleEvent } from '../app/recipients';
import { projectPeople } from '../app/recipients';
import { config } from '../config';

const store = notificationsStore(() => config().NOTIFICATIONS_TABLE);

export const handler = createSqsConsumer({
  contract: [TenantCreated, UserCreated, UserUpdated, UserRemoved],
  handleMessage: (message, { contract }) =>
    projectPeople({ type: contract.detailType, message } as PeopleEvent, { store }),
});
