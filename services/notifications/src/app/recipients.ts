/** identity's tenants and people into notifications' own projection (who may be mailed, where). */
import type { TenantCreated, UserCreated, UserRemoved, UserUpdated } from '@switchyard/contracts';
import type { NotificationsStore } from '../adapters/notifications-store';
import { REMOVED_REVISION } from '../domain/recipients';

export type PeopleEvent =
  | { type: 'TenantCreated'; message: TenantCreated }
  | { type: 'UserCreated'; message: UserCreated }
  | { type: 'UserUpdated'; message: UserUpdated }
  | { type: 'UserRemoved'; message: UserRemoved };

export interface RecipientsDeps {
  store: Pick<NotificationsStore, 'putTenant' | 'applyRecipient'>;
}

export async function projectPeople(event: PeopleEvent, deps: RecipientsDeps): Promise<void> {
  const { tenantId } = event.message;
  switch (event.type) {
    case 'TenantCreated':
      await deps.store.putTenant(tenantId, event.message.name);
      return;
    case 'UserCreated': {
      const m = event.message;
      await deps.store.applyRecipient({
        tenantId,
        userId: m.userId,
        email: m.email,
        ...(m.displayName ? { displayName: m.displayName } : {}),
        groups: m.groups ?? (m.role === 'admin' ? ['Admins'] : []),
        status: m.status ?? 'active',
        revision: 1,
      });
      return;
    }
    case 'UserUpdated': {
      const m = event.message;
      await deps.store.applyRecipient({
        tenantId,
        userId: m.userId,
        email: m.new.email,
        ...(m.new.displayName ? { displayName: m.new.displayName } : {}),
        groups: m.new.groups,
        status: m.new.status,
        revision: m.revision,
      });
      return;
    }
    case 'UserRemoved': {
      const m = event.message;
      // A tombstone: nothing that arrives later about this user id brings them back.
      await deps.store.applyRecipient({
        tenantId,
        userId: m.userId,
        email: m.email,
        groups: m.groups,
        status: 'removed',
        revision: REMOVED_REVISION,
      });
      return;
    }
  }
}
