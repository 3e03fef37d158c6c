// In-memory stand-ins for the table and SES, for the use cases' unit tests.
import type { OutgoingEmail } from '../../src/adapters/mailer';
import type { ClosedWindow, WindowKey } from '../../src/adapters/notifications-store';
import type { NotifyDeps } from '../../src/app/notify';
import type { Category, Mode } from '../../src/domain/categories';
import type { DigestLine } from '../../src/domain/notifications';
import type { Recipient } from '../../src/domain/recipients';

export type Store = NotifyDeps['store'];

export function fakeStore(
  recipients: Recipient[],
  prefs: Record<string, Partial<Record<Category, Mode>>> = {},
  suppressed: string[] = [],
) {
  const marks = new Set<string>();
  const windows = new Map<string, ClosedWindow & { dueAt: Date }>();
  const wk = (k: WindowKey) => `${k.tenantId}|${k.userId}|${k.category}`;
  const store: Store = {
    admins: async (t) =>
      recipients.filter((r) => r.tenantId === t && r.groups.includes('Admins') && r.status === 'active'),
    recipient: async (t, u) => recipients.find((r) => r.tenantId === t && r.userId === u),
    preferences: async (_t, u) => prefs[u] ?? {},
    tenantName: async () => 'Acme',
    markSent: async (e, u) => (marks.has(`${e}|${u}`) ? false : (marks.add(`${e}|${u}`), true)),
    unmarkSent: async (e, u) => void marks.delete(`${e}|${u}`),
    openWindow: async (k, dueAt) =>
      windows.has(wk(k)) ? false : (windows.set(wk(k), { ...k, lines: [], count: 0, dueAt }), true),
    gather: async (k, line: DigestLine) => {
      const w = windows.get(wk(k));
      if (!w) return false;
      w.lines.push(line);
      w.count += 1;
      return true;
    },
    dueWindows: async (now) =>
      [...windows.entries()].filter(([, w]) => w.dueAt <= now).map(([key]) => ({ pk: key, sk: key })),
    closeWindow: async ({ pk }) => {
      const w = windows.get(pk);
      windows.delete(pk);
      return w;
    },
    reopenWindow: async (w, dueAt) => void windows.set(wk(w), { ...w, dueAt }),
    isSuppressed: async (email) => suppressed.includes(email.toLowerCase()),
  };
  return { store, marks, windows };
}

export const person = (userId: string, extra: Partial<Recipient> = {}): Recipient => ({
  tenantId: 'ten_1',
  userId,
  email: `${userId}@example.com`,
  groups: [],
  status: 'active',
  revision: 1,
  ...extra,
});

export function deps(
  store: Store,
  sent: OutgoingEmail[],
  now = { t: new Date('2026-03-01T00:00:00Z') },
): NotifyDeps {
  return {
    store,
    mailer: { send: async (email) => void sent.push(email) },
    signingKey: async () => Buffer.alloc(32, 1),
    now: () => now.t,
    windowSeconds: 900,
    publicBaseUrl: 'https://api.example.com',
  };
}
