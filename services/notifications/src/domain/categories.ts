import { z } from 'zod';

/**
 * What a notification is about, which decides who may turn it off and how it is delivered by
 * default. `account` is transactional (invitations, a connection to sign in to again): it cannot be
 * turned off, and suppression (bounces, complaints) still applies to it.
 */
export const CATEGORIES = [
  'comments',
  'reactions',
  'messages',
  'billing',
  'webhooks',
  'reminders',
  'account',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** instant: every notification at once; digest: the first at once, the rest gathered per window. */
export const modeSchema = z.enum(['instant', 'digest', 'off']);
export type Mode = z.infer<typeof modeSchema>;

export type Preferences = Record<Category, Mode>;

export const DEFAULT_PREFERENCES: Preferences = {
  comments: 'digest',
  reactions: 'digest',
  webhooks: 'digest',
  messages: 'instant',
  billing: 'instant',
  reminders: 'instant',
  account: 'instant',
};

/** Categories a person may turn off (one-click unsubscribe names one of these). */
export const OPTIONAL_CATEGORIES = CATEGORIES.filter((c) => c !== 'account') as Exclude<
  Category,
  'account'
>[];

export const isCategory = (value: unknown): value is Category =>
  typeof value === 'string' && (CATEGORIES as readonly string[]).includes(value);

/** The stored choices over the defaults; anything unknown in storage is ignored. */
export function effectivePreferences(stored: Partial<Record<string, unknown>> | undefined): Preferences {
  const result = { ...DEFAULT_PREFERENCES };
  for (const category of CATEGORIES) {
    const mode = modeSchema.safeParse(stored?.[category]);
    if (mode.success) result[category] = mode.data;
  }
  if (result.account === 'off') result.account = 'instant';
  return result;
}

/**
 * How one notification of `category` goes out. Some sources are always gathered (a burst of
 * exhausted webhook messages is one e-mail), whatever the person chose, unless they turned it off.
 */
export function deliveryMode(preferences: Preferences, category: Category, alwaysDigest = false): Mode {
  const mode = preferences[category];
  if (mode === 'off') return category === 'account' ? 'instant' : 'off';
  return alwaysDigest ? 'digest' : mode;
}
