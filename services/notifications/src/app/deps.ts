/** The wiring of the use cases to this stage's table, SES and clock (one place, for the handlers). */
import { dynamoDbDocumentClient, tableCursorSecret } from '@switchyard/runtime';
import { sesMailer } from '../adapters/mailer';
import { notificationsStore } from '../adapters/notifications-store';
import { remindersStore } from '../adapters/reminders-store';
import { notificationKeys } from '../adapters/notifications-table';
import { apiConfig, config } from '../config';
import type { FeedbackDeps } from './feedback';
import type { NotifyDeps } from './notify';
import type { PreferencesDeps } from './preferences';
import type { ReminderDeps } from './reminders';

const store = (tableName: () => string) => notificationsStore(tableName);

let unsubscribeKey: (() => Promise<Buffer>) | undefined;
/** The key that signs unsubscribe tokens, made once per stage and kept in the table. */
function signingKey(tableName: () => string): () => Promise<Buffer> {
  unsubscribeKey ??= tableCursorSecret({
    client: dynamoDbDocumentClient,
    tableName,
    key: notificationKeys.unsubscribeSecret,
    attributes: { kind: 'secret' },
  });
  return unsubscribeKey;
}

export function notifyDeps(): NotifyDeps {
  const c = config();
  const tableName = () => c.NOTIFICATIONS_TABLE;
  return {
    store: store(tableName),
    mailer: sesMailer({ from: c.FROM_ADDRESS, configurationSetName: c.SES_CONFIGURATION_SET }),
    signingKey: signingKey(tableName),
    now: () => new Date(),
    windowSeconds: c.DIGEST_WINDOW_SECONDS,
    publicBaseUrl: c.SWITCHYARD_LOCAL_API_URL ?? c.PUBLIC_BASE_URL,
  };
}

export function preferencesDeps(): PreferencesDeps {
  const tableName = () => apiConfig().NOTIFICATIONS_TABLE;
  return { store: store(tableName), signingKey: signingKey(tableName), now: () => new Date() };
}

export function feedbackDeps(): FeedbackDeps {
  return { store: store(() => config().NOTIFICATIONS_TABLE), now: () => new Date() };
}

/** The reminder routes: the table only. */
export function reminderDeps(): ReminderDeps {
  const tableName = () => apiConfig().NOTIFICATIONS_TABLE;
  return { reminders: remindersStore(tableName), store: store(tableName), now: () => new Date() };
}

/** The reminder sweeper: what notify needs, and the reminders. */
export function reminderSweepDeps() {
  return { ...notifyDeps(), reminders: remindersStore(() => config().NOTIFICATIONS_TABLE) };
}
