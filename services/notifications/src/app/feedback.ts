/** SES's bounce and complaint notifications → the suppression list (../domain/ses-feedback.ts). */
import type { NotificationsStore } from '../adapters/notifications-store';
import { sesFeedback, suppressionsOf, unwrapSns } from '../domain/ses-feedback';
import type { Suppression } from '../domain/ses-feedback';

export interface FeedbackDeps {
  store: Pick<NotificationsStore, 'suppress'>;
  now: () => Date;
}

export async function applySesFeedback(body: string, deps: FeedbackDeps): Promise<Suppression[]> {
  const suppressions = suppressionsOf(sesFeedback.parse(unwrapSns(body)));
  for (const s of suppressions) await deps.store.suppress(s, deps.now());
  return suppressions;
}
