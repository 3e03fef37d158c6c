/**
 * The core use case: a triggering event → e-mails. Each person named by the event who may be
 * mailed, and has not turned the category off, gets it at most once: a conditional write keyed by
 * the event id and the person comes first, and is taken back if the send fails so a retry sends it.
 * In `digest` mode the first notification of a window goes out at once and opens the window; later
 * ones are gathered into it and sent as one digest when it closes (./digests.ts).
 */
import type { Mailer, OutgoingEmail } from '../adapters/mailer';
import type { NotificationsStore } from '../adapters/notifications-store';
import type { Category } from '../domain/categories';
import { deliveryMode, effectivePreferences } from '../domain/categories';
import type { Notification, TriggeringEvent } from '../domain/notifications';
import { notificationOf } from '../domain/notifications';
import type { Recipient } from '../domain/recipients';
import { isMailable } from '../domain/recipients';
import type { RenderedEmail } from '../domain/render';
import { renderSingle } from '../domain/render';
import { signUnsubscribeToken } from '../domain/unsubscribe-token';

export interface NotifyDeps {
  store: Pick<
    NotificationsStore,
    | 'admins'
    | 'recipient'
    | 'preferences'
    | 'tenantName'
    | 'markSent'
    | 'unmarkSent'
    | 'openWindow'
    | 'gather'
    | 'dueWindows'
    | 'closeWindow'
    | 'reopenWindow'
    | 'isSuppressed'
  >;
  mailer: Mailer;
  signingKey: () => Promise<Buffer>;
  now: () => Date;
  windowSeconds: number;
  /** Where unsubscribe links point (the stage's public API). */
  publicBaseUrl: string;
}

/** A person named by an event is not in the projection yet (identity's event is still on its way). */
export class RecipientNotProjectedError extends Error {
  constructor(count: number) {
    super(`${count} recipient(s) not projected yet; retrying`);
    this.name = 'RecipientNotProjectedError';
  }
}

export type PersonOutcome = 'sent' | 'gathered' | 'duplicate' | 'off' | 'suppressed';

export async function notify(event: TriggeringEvent, deps: NotifyDeps): Promise<PersonOutcome[]> {
  return deliver(notificationOf(event), deps);
}

/** One notification to everyone it names (events, and scheduled reminders, come through here). */
export async function deliver(notification: Notification, deps: NotifyDeps): Promise<PersonOutcome[]> {
  const { people, unknown } = await audienceOf(notification, deps);
  const outcomes: PersonOutcome[] = [];
  for (const person of people) outcomes.push(await notifyPerson(notification, person, deps));
  // The people known were served (their marks make a retry a no-op); the others are retried.
  if (unknown > 0) throw new RecipientNotProjectedError(unknown);
  return outcomes;
}

async function audienceOf(
  n: Notification,
  deps: NotifyDeps,
): Promise<{ people: Recipient[]; unknown: number }> {
  if (n.audience.kind === 'admins') return { people: await deps.store.admins(n.tenantId), unknown: 0 };
  const ids = [...new Set(n.audience.userIds)].filter((id) => id !== n.excludeUserId);
  const found = await Promise.all(ids.map((id) => deps.store.recipient(n.tenantId, id)));
  return {
    people: found.filter(isMailable).filter((r) => r.userId !== n.excludeUserId),
    unknown: found.filter((r) => r === undefined).length,
  };
}

async function notifyPerson(n: Notification, person: Recipient, deps: NotifyDeps): Promise<PersonOutcome> {
  const preferences = effectivePreferences(await deps.store.preferences(person.tenantId, person.userId));
  const mode = deliveryMode(preferences, n.category, n.alwaysDigest);
  if (mode === 'off') return 'off';
  // SES reported a permanent bounce or a complaint: never again, transactional mail included.
  if (await deps.store.isSuppressed(person.email)) return 'suppressed';
  const now = deps.now();
  if (!(await deps.store.markSent(n.eventId, person.userId, now))) return 'duplicate';
  try {
    if (mode === 'digest') {
      const key = { tenantId: person.tenantId, userId: person.userId, category: n.category };
      const line = {
        headline: n.headline,
        ...(n.detail ? { detail: n.detail } : {}),
        ...(n.about ? { about: n.about } : {}),
        at: n.at,
      };
      if (await deps.store.gather(key, line)) return 'gathered';
      const closesAt = new Date(now.getTime() + deps.windowSeconds * 1000);
      // Lost the race to open it: someone else's notification did; gather into theirs.
      if (!(await deps.store.openWindow(key, closesAt)) && (await deps.store.gather(key, line)))
        return 'gathered';
    }
    const frame = await frameFor(person, n.category, deps);
    await send(person, renderSingle(frame, n), frame, deps);
    return 'sent';
  } catch (error) {
    await deps.store.unmarkSent(n.eventId, person.userId);
    throw error;
  }
}

export interface Frame {
  tenantName: string;
  recipientName?: string;
  categoryLabel: string;
  unsubscribeUrl?: string;
}

/** The parts every e-mail to a person shares: the tenant's name, the unsubscribe link. */
export async function frameFor(person: Recipient, category: Category, deps: NotifyDeps): Promise<Frame> {
  const tenantName = (await deps.store.tenantName(person.tenantId)) ?? 'Switchyard';
  const frame: Frame = {
    tenantName,
    categoryLabel: category,
    ...(person.displayName ? { recipientName: person.displayName } : {}),
  };
  if (category === 'account') return frame;
  const token = signUnsubscribeToken(await deps.signingKey(), {
    tenantId: person.tenantId,
    userId: person.userId,
    category,
  });
  const url = new URL('/notifications/unsubscribe', deps.publicBaseUrl);
  url.searchParams.set('token', token);
  return { ...frame, unsubscribeUrl: url.toString() };
}

/** One e-mail; a non-transactional one carries RFC 8058's two headers. */
export async function send(
  person: Recipient,
  email: RenderedEmail,
  frame: Frame,
  deps: Pick<NotifyDeps, 'mailer'>,
): Promise<void> {
  const { unsubscribeUrl } = frame;
  const outgoing: OutgoingEmail = {
    ...email,
    to: person.email,
    fromName: frame.tenantName,
    ...(unsubscribeUrl
      ? {
          headers: [
            { name: 'List-Unsubscribe', value: `<${unsubscribeUrl}>` },
            { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
          ],
        }
      : {}),
  };
  await deps.mailer.send(outgoing);
}
