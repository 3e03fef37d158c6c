/**
 * Scheduled reminders a tenant admin sets: what a request may say, the reminder kept, and the
 * notification it becomes when due (category `reminders`, which people may turn off).
 */
import { z } from 'zod';
import type { Notification } from './notifications';

const userId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'a user id');

export const createReminderRequest = z
  .object({
    at: z.iso.datetime({ offset: true }),
    // One line: a subject is a mail header.
    subject: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .regex(/^[^\r\n]*$/, 'one line'),
    text: z.string().trim().min(1).max(5000),
    to: z.union([z.literal('admins'), z.array(userId).min(1).max(100)]),
  })
  .strict();
export type CreateReminder = z.infer<typeof createReminderRequest>;

export const reminderIdSchema = z.object({
  reminderId: z.string().regex(/^rem_[a-z0-9]{1,40}$/, 'a reminder id'),
});

export type ReminderStatus = 'scheduled' | 'sent' | 'cancelled';

export interface Reminder {
  reminderId: string;
  tenantId: string;
  at: string;
  subject: string;
  text: string;
  to: 'admins' | string[];
  status: ReminderStatus;
  createdBy: string;
  createdAt: string;
}

/** At most a year ahead; a moment in the past is sent at the next sweep. */
export const MAX_AHEAD_MS = 366 * 24 * 60 * 60 * 1000;

export function newReminder(
  input: CreateReminder,
  who: { tenantId: string; createdBy: string },
  now: Date,
  id: string,
): Reminder | 'too-far' {
  const at = new Date(input.at);
  if (at.getTime() - now.getTime() > MAX_AHEAD_MS) return 'too-far';
  return {
    reminderId: id,
    tenantId: who.tenantId,
    at: at.toISOString(),
    subject: input.subject,
    text: input.text,
    to: input.to === 'admins' ? 'admins' : [...new Set(input.to)],
    status: 'scheduled',
    createdBy: who.createdBy,
    createdAt: now.toISOString(),
  };
}

/** The reminder as one notification: the reminder id is its event id (one e-mail per person). */
export function reminderNotification(r: Reminder): Notification {
  return {
    eventId: r.reminderId,
    tenantId: r.tenantId,
    category: 'reminders',
    audience: r.to === 'admins' ? { kind: 'admins' } : { kind: 'users', userIds: r.to },
    subject: r.subject,
    headline: r.subject,
    detail: r.text,
    at: r.at,
  };
}

export const reminderView = (r: Reminder) => ({
  reminderId: r.reminderId,
  at: r.at,
  subject: r.subject,
  text: r.text,
  to: r.to,
  status: r.status,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
});
