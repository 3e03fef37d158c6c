/** A person's modes per category, and the one-click unsubscribe that turns one category off. */
import { badRequest } from '@switchyard/runtime';
import type { NotificationsStore } from '../adapters/notifications-store';
import type { PersonCaller } from '../adapters/caller';
import type { Category, Mode, Preferences } from '../domain/categories';
import { effectivePreferences } from '../domain/categories';
import type { UnsubscribeClaim } from '../domain/unsubscribe-token';
import { verifyUnsubscribeToken } from '../domain/unsubscribe-token';

export interface PreferencesDeps {
  store: Pick<NotificationsStore, 'preferences' | 'setPreferences'>;
  signingKey: () => Promise<Buffer>;
  now: () => Date;
}

export interface PreferencesView {
  preferences: Preferences;
}

export async function getPreferences(caller: PersonCaller, deps: PreferencesDeps): Promise<PreferencesView> {
  return { preferences: effectivePreferences(await deps.store.preferences(caller.tenantId, caller.userId)) };
}

export async function putPreferences(
  caller: PersonCaller,
  modes: Partial<Record<Category, Mode>>,
  deps: PreferencesDeps,
): Promise<PreferencesView> {
  if (modes.account === 'off') throw badRequest('Account e-mails cannot be turned off.');
  if (Object.keys(modes).length > 0)
    await deps.store.setPreferences(caller.tenantId, caller.userId, modes, deps.now());
  return getPreferences(caller, deps);
}

export const INVALID_TOKEN = 'This unsubscribe link is not valid.';

/** What a token names, or a 400 for a tampered or malformed one. */
export async function readUnsubscribeToken(token: string, deps: PreferencesDeps): Promise<UnsubscribeClaim> {
  const claim = verifyUnsubscribeToken(await deps.signingKey(), token);
  if (!claim) throw badRequest(INVALID_TOKEN);
  return claim;
}

/** Turns the token's category off for its person; doing it again changes nothing. */
export async function unsubscribe(token: string, deps: PreferencesDeps): Promise<UnsubscribeClaim> {
  const claim = await readUnsubscribeToken(token, deps);
  await deps.store.setPreferences(claim.tenantId, claim.userId, { [claim.category]: 'off' }, deps.now());
  return claim;
}
