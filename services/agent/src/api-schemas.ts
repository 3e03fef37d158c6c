import { z } from 'zod';

/** The longest question the agent takes (characters). */
export const MAX_QUERY_CHARS = 4_000;

export const askRequest = z.object({
  query: z.string().trim().min(1).max(MAX_QUERY_CHARS),
  /** What the person is looking at (a page, an event id...), passed to the model as context. */
  context: z
    .record(z.string(), z.union([z.string().max(500), z.number(), z.boolean()]))
    .optional()
    .refine((c) => c === undefined || Object.keys(c).length <= 20, 'at most 20 context fields'),
  conversationId: z
    .string()
    .regex(/^conv_[A-Za-z0-9_-]{1,64}$/)
    .optional(),
});
export type AskRequest = z.output<typeof askRequest>;

export const conversationPath = z.object({
  conversationId: z.string().regex(/^conv_[A-Za-z0-9_-]{1,64}$/),
});
