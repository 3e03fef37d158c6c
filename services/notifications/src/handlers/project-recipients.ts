/**
 * identity's TenantCreated and user events → the recipients projection; its API key events → the
 * key projection (both on `notifications-<stage>-recipients`, one bus rule each).
 */
import { createApiKeyProjectionConsumer } from '@switchyard/access';
import { TenantCreated, UserCreated, UserRemoved, UserUpdated } from '@switchyard/contracts';
import { keyProjection } from '../adapters/key-projection';
import { notificationsStore } from '../adapters/notifications-store';
import type { PeopleEvent } from '../app/recipients';
import { projectPeople } from '../app/recipients';
import { config } from '../config';

const store = notificationsStore(() => config().NOTIFICATIONS_TABLE);

export const handler = createApiKeyProjectionConsumer({
  store: keyProjection,
  also: {
    contracts: [TenantCreated, UserCreated, UserUpdated, UserRemoved],
    handleMessage: (message, { contract }) =>
      projectPeople({ type: contract.detailType, message } as PeopleEvent, { store }),
  },
});
