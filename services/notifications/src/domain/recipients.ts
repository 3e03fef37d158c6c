/**
 * notifications' own view of identity's people. A removed person stays as a tombstone (status
 * `removed`) so a late UserUpdated cannot bring them back and a notification naming them is skipped
 * rather than retried. Updates apply only when their revision is higher than the one held.
 */
export type RecipientStatus = 'active' | 'suspended' | 'removed';

export interface Recipient {
  tenantId: string;
  userId: string;
  email: string;
  displayName?: string;
  groups: string[];
  status: RecipientStatus;
  /** identity's revision of the user: UserCreated is 1; a tombstone holds the highest possible. */
  revision: number;
}

export const REMOVED_REVISION = Number.MAX_SAFE_INTEGER;

/** Whether the person may be mailed at all. */
export const isMailable = (recipient: Recipient | undefined): recipient is Recipient =>
  recipient !== undefined && recipient.status === 'active';

export const isAdmin = (recipient: Recipient) => recipient.groups.includes('Admins');
