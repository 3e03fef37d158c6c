import { z } from 'zod';
import { CATEGORIES, modeSchema } from './domain/categories';

/** PUT /notifications/preferences: `{ preferences: { <category>: instant | digest | off } }`, any subset. */
export const putPreferencesRequest = z.strictObject({
  preferences: z.strictObject(
    Object.fromEntries(CATEGORIES.map((c) => [c, modeSchema.optional()])) as Record<
      (typeof CATEGORIES)[number],
      z.ZodOptional<typeof modeSchema>
    >,
  ),
});

/** The unsubscribe routes' query: the signed token from the e-mail's link. */
export const unsubscribeQuery = z.object({ token: z.string().min(1).max(1024) });
