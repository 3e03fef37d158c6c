/** Request schemas the handlers share. */
import { reactionType } from '@switchyard/contracts';
import { z } from 'zod';

export const itemPath = z.object({ itemId: z.string().min(1).max(512) });
export const commentPath = z.object({
  itemId: z.string().min(1).max(512),
  commentId: z.string().min(1).max(128),
});
export const commentIdPath = z.object({ commentId: z.string().min(1).max(128) });

/** Raw text: sanitized afterwards, and its length checked again then. */
export const commentBody = z.object({ text: z.string().min(1).max(20_000) });

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().min(1).max(4096).optional(),
});

export const reactionBody = z.object({ type: reactionType.default('like') }).default({ type: 'like' });

export const COMMENT_BODY_BYTES = 64 * 1024;

export const conversationPath = z.object({ conversationId: z.string().min(1).max(128) });

export const startConversationBody = z.object({
  participantIds: z.array(z.string().min(1).max(128)).min(1).max(49),
  text: z.string().min(1).max(20_000).optional(),
});

export const messageBody = z
  .object({
    text: z.string().max(20_000).optional(),
    attachments: z
      .array(z.object({ key: z.string().min(1).max(1024) }))
      .max(10)
      .optional(),
  })
  .refine((b) => b.text !== undefined || (b.attachments?.length ?? 0) > 0, {
    path: ['text'],
    message: 'A message needs text or attachments.',
  });

export const uploadBody = z.object({
  filename: z.string().min(1).max(255),
  contentType: z
    .string()
    .min(3)
    .max(255)
    .regex(/^[\w.+-]+\/[\w.+-]+$/, 'A MIME type such as image/png.'),
  size: z.number().int().min(1),
});

export const MESSAGE_BODY_BYTES = 64 * 1024;
