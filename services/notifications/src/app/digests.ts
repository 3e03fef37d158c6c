/**
 * Closing digest windows: every minute the sweeper takes the windows whose end has passed (index
 * due) and sends each person one digest of what was gathered after their first e-mail. A
 * window that gathered nothing just closes. A digest that cannot be sent puts its window back, due a
 * minute later, so the next sweep tries again.
 */
import { logger } from '@switchyard/runtime';
import { deliveryMode, effectivePreferences } from '../domain/categories';
import { digestOf } from '../domain/notifications';
import { isMailable } from '../domain/recipients';
import { renderDigest } from '../domain/render';
import type { NotifyDeps } from './notify';
import { frameFor, send } from './notify';

export interface SweepSummary {
  closed: number;
  digestsSent: number;
  failed: number;
}

export async function sweepDigests(deps: NotifyDeps): Promise<SweepSummary> {
  const summary: SweepSummary = { closed: 0, digestsSent: 0, failed: 0 };
  const now = deps.now();
  for (const key of await deps.store.dueWindows(now)) {
    const window = await deps.store.closeWindow(key);
    if (!window) continue;
    summary.closed += 1;
    if (window.count === 0) continue;
    try {
      const person = await deps.store.recipient(window.tenantId, window.userId);
      if (!isMailable(person)) continue;
      const preferences = effectivePreferences(await deps.store.preferences(window.tenantId, window.userId));
      // Turned off while the window was open: what it gathered is not sent.
      if (deliveryMode(preferences, window.category) === 'off') continue;
      if (await deps.store.isSuppressed(person.email)) continue;
      const frame = await frameFor(person, window.category, deps);
      const digest = digestOf(window.category, window.lines, window.count);
      await send(person, renderDigest(frame, digest), frame, deps);
      summary.digestsSent += 1;
    } catch (error) {
      summary.failed += 1;
      logger.error('digest not sent; its window is put back', { error, category: window.category });
      await deps.store.reopenWindow(window, new Date(now.getTime() + 60_000));
    }
  }
  return summary;
}
