/**
 * The key layout of `notifications-<stage>`, in one place (test/unit/adapters/notifications-table.test.ts
 * pins it). Everything about a person lives under their tenant's partition, so a query never crosses
 * tenants.
 *
 *   TENANT#<tenantId> / TENANT                  the tenant's name (From display name)
 *   TENANT#<tenantId> / USER#<userId>           a recipient: address, name, groups, status, revision
 *   TENANT#<tenantId> / PREFS#<userId>          the person's mode per category
 *   TENANT#<tenantId> / WINDOW#<userId>#<cat>   an open digest window and what it gathered;
 *                                               duePk WINDOW/dueAt (index due) say when it closes
 *   TENANT#<tenantId> / REMINDER#<reminderId>   a scheduled reminder; while it waits, duePk
 *                                               REMINDER/dueAt (index due) say when it is sent
 *   SENT#<eventId>#<userId> / SENT              the mark that this event reached this person (TTL)
 *   SECRET#unsubscribe / SECRET                 the key that signs unsubscribe tokens
 *   SUPPRESSED#<address> / SUPPRESSED           an address SES reported a permanent bounce or a
 *                                               complaint for: never mailed again (any tenant:
 *                                               the mailbox is the same)
 *   KEY#<keyId> / KEY                           the API key projection (@switchyard/access's layout)
 *   CONSUMER_FAILURE#<messageId> / …            the runtime's
 */
export const notificationKeys = {
  tenantPartition: (tenantId: string) => `TENANT#${tenantId}`,
  tenant: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' }),
  recipient: (tenantId: string, userId: string) => ({ pk: `TENANT#${tenantId}`, sk: `USER#${userId}` }),
  recipientPrefix: 'USER#',
  preferences: (tenantId: string, userId: string) => ({ pk: `TENANT#${tenantId}`, sk: `PREFS#${userId}` }),
  window: (tenantId: string, userId: string, category: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `WINDOW#${userId}#${category}`,
  }),
  reminder: (tenantId: string, reminderId: string) => ({
    pk: `TENANT#${tenantId}`,
    sk: `REMINDER#${reminderId}`,
  }),
  reminderPrefix: 'REMINDER#',
  sent: (eventId: string, userId: string) => ({ pk: `SENT#${eventId}#${userId}`, sk: 'SENT' }),
  unsubscribeSecret: { pk: 'SECRET#unsubscribe', sk: 'SECRET' },
  suppressed: (email: string) => ({ pk: `SUPPRESSED#${email.trim().toLowerCase()}`, sk: 'SUPPRESSED' }),
};

/**
 * The sparse index of what is due: open digest windows (duePk WINDOW, dueAt = when the window
 * closes) and waiting reminders (duePk REMINDER, dueAt = when to send). Keys only.
 */
export const DUE_INDEX = 'due';
export const WINDOW_DUE_PK = 'WINDOW';
export const REMINDER_DUE_PK = 'REMINDER';

/** Send marks outlive the queue's and its DLQ's retention (14 days each) and a replay after them. */
export const SENT_RETENTION_SECONDS = 35 * 24 * 60 * 60;
