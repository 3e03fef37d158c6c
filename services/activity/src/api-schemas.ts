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
