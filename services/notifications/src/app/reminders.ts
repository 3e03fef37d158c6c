/**
 * Scheduled reminders: a tenant admin sets, lists and cancels them; every minute a sweeper sends
 * those due through the path every notification takes (category `reminders`, suppression and
 * preferences honoured, one e-mail per person: the send mark is keyed by the reminder id), then
 * marks them sent. A sweep that fails midway leaves the reminder waiting; the next one serves only
 * the people not yet marked.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from '@switchyard/runtime';
import type { NotificationsStore } from '../adapters/notifications-store';
import type { RemindersStore } from '../adapters/reminders-store';
import type { CreateReminder } from '../domain/reminders';
import { newReminder, reminderNotification, reminderView } from '../domain/reminders';
import type { NotifyDeps } from './notify';
import { RecipientNotProjectedError, deliver } from './notify';

/** A tenant admin: `actorId` is `key:<keyId>` or the person's user id (kept as `createdBy`). */
export interface TenantAdminCaller {
  tenantId: string;
  actorId: string;
}

export interface ReminderDeps {
  reminders: RemindersStore;
  store: Pick<NotificationsStore, 'recipient'>;
  now: () => Date;
}

export const NOT_FOUND = 'No such reminder.';
export const UNKNOWN_RECIPIENTS = '`to` names people who are not in this tenant.';

export async function createReminder(caller: TenantAdminCaller, input: CreateReminder, deps: ReminderDeps) {
  const now = deps.now();
  // People of the caller's tenant only: a user id of another tenant is unknown here.
  if (input.to !== 'admins') {
    const found = await Promise.all(input.to.map((id) => deps.store.recipient(caller.tenantId, id)));
    if (found.some((r) => r === undefined || r.status === 'removed'))
      throw badRequest(UNKNOWN_RECIPIENTS, { code: 'unknown_recipients' });
  }
  // Time-ordered ids, so a tenant's list comes back in creation order.
  const id = `rem_${now.getTime().toString(36).padStart(9, '0')}${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const reminder = newReminder(input, { tenantId: caller.tenantId, createdBy: caller.actorId }, now, id);
  if (reminder === 'too-far') throw badRequest('`at` is more than a year ahead.', { code: 'too_far_ahead' });
  await deps.reminders.put(reminder);
  return reminderView(reminder);
}

export async function listReminders(caller: TenantAdminCaller, deps: Pick<ReminderDeps, 'reminders'>) {
  return { reminders: (await deps.reminders.list(caller.tenantId)).map(reminderView) };
}

/** Cancels a waiting reminder; one already sent or cancelled stays as it is (idempotent). */
export async function cancelReminder(
  caller: TenantAdminCaller,
  reminderId: string,
  deps: Pick<ReminderDeps, 'reminders'>,
): Promise<void> {
  const reminder = await deps.reminders.get(caller.tenantId, reminderId);
  if (!reminder) throw notFound(NOT_FOUND);
  if (reminder.status === 'scheduled') await deps.reminders.finish(caller.tenantId, reminderId, 'cancelled');
}

export async function sendDueReminders(
  deps: NotifyDeps & { reminders: Pick<RemindersStore, 'due' | 'get' | 'finish'> },
): Promise<{ sent: number }> {
  let sent = 0;
  for (const { tenantId, reminderId } of await deps.reminders.due(deps.now())) {
    const reminder = await deps.reminders.get(tenantId, reminderId);
    if (reminder?.status !== 'scheduled') continue;
    try {
      await deliver(reminderNotification(reminder), deps);
    } catch (error) {
      // Checked when it was set; someone unknown now is not coming back, so nobody waits on them.
      if (!(error instanceof RecipientNotProjectedError)) throw error;
    }
    if (await deps.reminders.finish(tenantId, reminderId, 'sent')) sent += 1;
  }
  return { sent };
}
