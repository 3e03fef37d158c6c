/** Comments as activity decides about them: pure, the clock and ids passed in. */
import { preview } from './text';

export const EDIT_HISTORY_LENGTH = 5;

export interface EditVersion {
  text: string;
  /** When this version was replaced. */
  replacedAt: string;
}

export interface Comment {
  tenantId: string;
  commentId: string;
  itemId: string;
  authorId: string;
  authorDisplayName?: string;
  text: string;
  createdAt: string;
  editedAt?: string;
  editHistory: EditVersion[];
  deleted: boolean;
  deletedAt?: string;
  deletedBy?: string;
}

export interface Viewer {
  tenantId: string;
  userId: string;
  isAdmin: boolean;
}

export function newComment(
  viewer: Viewer,
  input: { itemId: string; text: string; authorDisplayName?: string },
  commentId: string,
  now: Date,
): Comment {
  return {
    tenantId: viewer.tenantId,
    commentId,
    itemId: input.itemId,
    authorId: viewer.userId,
    ...(input.authorDisplayName ? { authorDisplayName: input.authorDisplayName } : {}),
    text: input.text,
    createdAt: now.toISOString(),
    editHistory: [],
    deleted: false,
  };
}

export type EditDecision =
  { ok: true; comment: Comment } | { ok: false; reason: 'not_found' | 'not_author' | 'deleted' };

/** The author's new text; the replaced version joins the history (the last 5 kept). */
export function editComment(comment: Comment, viewer: Viewer, text: string, now: Date): EditDecision {
  if (comment.authorId !== viewer.userId) return { ok: false, reason: 'not_author' };
  if (comment.deleted) return { ok: false, reason: 'deleted' };
  const at = now.toISOString();
  const history = [...comment.editHistory, { text: comment.text, replacedAt: at }].slice(
    -EDIT_HISTORY_LENGTH,
  );
  return { ok: true, comment: { ...comment, text, editedAt: at, editHistory: history } };
}

export type DeleteDecision =
  { ok: true; comment: Comment; changed: boolean } | { ok: false; reason: 'not_author' | 'not_admin' };

/** A soft delete: the comment stays as a tombstone. Deleting a tombstone again changes nothing. */
export function deleteComment(comment: Comment, viewer: Viewer, asAdmin: boolean, now: Date): DeleteDecision {
  if (asAdmin && !viewer.isAdmin) return { ok: false, reason: 'not_admin' };
  if (!asAdmin && comment.authorId !== viewer.userId) return { ok: false, reason: 'not_author' };
  if (comment.deleted) return { ok: true, comment, changed: false };
  return {
    ok: true,
    changed: true,
    comment: {
      ...comment,
      text: '',
      editHistory: [],
      deleted: true,
      deletedAt: now.toISOString(),
      deletedBy: viewer.userId,
    },
  };
}

/** What a comment looks like to `viewer`: tombstones without text, history for the author and admins. */
export function commentView(comment: Comment, viewer: Viewer) {
  const base = {
    commentId: comment.commentId,
    itemId: comment.itemId,
    authorId: comment.authorId,
    ...(comment.authorDisplayName ? { authorDisplayName: comment.authorDisplayName } : {}),
    createdAt: comment.createdAt,
  };
  if (comment.deleted) {
    return {
      ...base,
      deleted: true as const,
      ...(comment.deletedAt ? { deletedAt: comment.deletedAt } : {}),
    };
  }
  const seesHistory = viewer.isAdmin || viewer.userId === comment.authorId;
  return {
    ...base,
    text: comment.text,
    deleted: false as const,
    ...(comment.editedAt ? { editedAt: comment.editedAt } : {}),
    ...(seesHistory ? { editHistory: comment.editHistory } : {}),
  };
}
export type CommentView = ReturnType<typeof commentView>;

/**
 * The people to tell about a new comment: the earlier commenters (most recent first, without the
 * author, at most 200 as the contract allows).
 */
export function earlierCommenters(authorsNewestFirst: string[], authorId: string): string[] {
  const seen = new Set<string>();
  for (const id of authorsNewestFirst) {
    if (id !== authorId) seen.add(id);
    if (seen.size >= 200) break;
  }
  return [...seen];
}

export { preview };

/** Fixed-window rate limit: the window a time falls in, and the seconds until it ends. */
export function rateWindow(now: Date): { minute: number; retryAfterSeconds: number } {
  const ms = now.getTime();
  return {
    minute: Math.floor(ms / 60_000),
    retryAfterSeconds: Math.max(1, Math.ceil((60_000 - (ms % 60_000)) / 1000)),
  };
}
