import type { OutgoingEmail } from '../../../src/adapters/mailer';
import type { RemindersStore } from '../../../src/adapters/reminders-store';
import { cancelReminder, createReminder, sendDueReminders } from '../../../src/app/reminders';
import type { Reminder } from '../../../src/domain/reminders';
import { createReminderRequest, newReminder, reminderNotification } from '../../../src/domain/reminders';
import { deps, fakeStore, person } from '../fakes';

function fakeReminders() {
  const kept = new Map<string, Reminder>();
  const reminders: RemindersStore = {
    put: async (r) => void kept.set(r.reminderId, { ...r }),
    get: async (t, id) => (kept.get(id)?.tenantId === t ? { ...kept.get(id)! } : undefined),
    list: async (t) => [...kept.values()].filter((r) => r.tenantId === t),
    finish: async (t, id, to) => {
      const r = kept.get(id);
      if (r?.tenantId !== t || r.status !== 'scheduled') return false;
      r.status = to;
      return true;
    },
    due: async (now) =>
      [...kept.values()]
        .filter((r) => r.status === 'scheduled' && new Date(r.at) <= now)
        .map((r) => ({ tenantId: r.tenantId, reminderId: r.reminderId })),
  };
  return { reminders, kept };
}

const admin = { tenantId: 'ten_1', actorId: 'usr_A' };
const input = (to: 'admins' | string[], at = '2026-03-01T00:05:00Z') =>
  createReminderRequest.parse({ at, subject: 'Renew the certificate', text: 'It expires Friday.', to });

describe('reminders', () => {
  it('refuses what is not a reminder, and a moment more than a year ahead', () => {
    expect(createReminderRequest.safeParse({ ...input('admins'), extra: 1 }).success).toBe(false);
    expect(createReminderRequest.safeParse({ ...input('admins'), to: [] }).success).toBe(false);
    expect(createReminderRequest.safeParse({ ...input('admins'), at: 'tomorrow' }).success).toBe(false);
    expect(createReminderRequest.safeParse({ ...input('admins'), subject: 'a\r\nBcc: x' }).success).toBe(
      false,
    );
    const now = new Date('2026-03-01T00:00:00Z');
    expect(
      newReminder(
        input('admins', '2027-06-01T00:00:00Z'),
        { tenantId: 'ten_1', createdBy: 'usr_A' },
        now,
        'rem_1',
      ),
    ).toBe('too-far');
    const r = newReminder(input(['usr_B', 'usr_B']), { tenantId: 'ten_1', createdBy: 'usr_A' }, now, 'rem_1');
    expect(r).toMatchObject({ to: ['usr_B'], status: 'scheduled' });
    expect(reminderNotification(r as Reminder)).toMatchObject({
      eventId: 'rem_1',
      category: 'reminders',
      audience: { kind: 'users', userIds: ['usr_B'] },
    });
  });

  it('names only people of the caller tenant', async () => {
    const { store } = fakeStore([person('usr_B'), person('usr_X', { tenantId: 'ten_2' })]);
    const { reminders, kept } = fakeReminders();
    const d = { reminders, store, now: () => new Date('2026-03-01T00:00:00Z') };
    await expect(createReminder(admin, input(['usr_X']), d)).rejects.toMatchObject({
      status: 400,
      code: 'unknown_recipients',
    });
    const created = await createReminder(admin, input(['usr_B']), d);
    expect(created.reminderId).toMatch(/^rem_[a-z0-9]+$/);
    expect(created.createdBy).toBe('usr_A');
    // An admin API key is its own actor: the reminder says which key set it.
    const byKey = await createReminder({ tenantId: 'ten_1', actorId: 'key:key_1' }, input(['usr_B']), d);
    expect(byKey.createdBy).toBe('key:key_1');
    expect(kept.get(byKey.reminderId)?.createdBy).toBe('key:key_1');
    expect(kept.size).toBe(2);
  });

  it('sends a due reminder once, to the admins, and never one cancelled', async () => {
    const { store } = fakeStore([
      person('usr_A', { groups: ['Admins'] }),
      person('usr_C', { groups: ['Admins'] }),
      person('usr_B'),
    ]);
    const { reminders, kept } = fakeReminders();
    const clock = { t: new Date('2026-03-01T00:00:00Z') };
    const api = { reminders, store, now: () => clock.t };
    const due = await createReminder(admin, input('admins'), api);
    const cancelled = await createReminder(admin, input(['usr_B']), api);
    await cancelReminder(admin, cancelled.reminderId, api);
    await cancelReminder(admin, cancelled.reminderId, api);
    await expect(cancelReminder({ ...admin, tenantId: 'ten_2' }, due.reminderId, api)).rejects.toMatchObject({
      status: 404,
    });

    const sent: OutgoingEmail[] = [];
    const sweep = { ...deps(store, sent, clock), reminders };
    expect(await sendDueReminders(sweep)).toEqual({ sent: 0 });
    clock.t = new Date('2026-03-01T00:05:00Z');
    expect(await sendDueReminders(sweep)).toEqual({ sent: 1 });
    expect(await sendDueReminders(sweep)).toEqual({ sent: 0 });
    expect(sent.map((m) => m.to).sort()).toEqual(['usr_A@example.com', 'usr_C@example.com']);
    expect(sent[0]!.subject).toBe('Renew the certificate');
    expect(sent[0]!.text).toContain('It expires Friday.');
    expect(sent[0]!.headers?.map((h) => h.name)).toEqual(['List-Unsubscribe', 'List-Unsubscribe-Post']);
    expect(kept.get(due.reminderId)?.status).toBe('sent');
    expect(kept.get(cancelled.reminderId)?.status).toBe('cancelled');
  });
});
