/** Comments: write, edit, delete (author or admin), list with cursors. */
import { randomUUID } from 'node:crypto';
import { CommentCreated, CommentDeleted, CommentEdited } from '@switchyard/contracts';
import type { Contract } from '@switchyard/contracts';
import type { PublishInput } from '@switchyard/runtime';
import {
  decodeCursor,
  encodeCursor,
  forbidden,
  notFound,
  tooManyRequests,
  validationFailed,
} from '@switchyard/runtime';
import type { ActivityStore, OutboxEvent, StoredComment } from '../adapters/activity-store';
import type { CommentView, Viewer } from '../domain/comments';
import {
  commentView,
  deleteComment,
  earlierCommenters,
  editComment,
  newComment,
  preview,
  rateWindow,
} from '../domain/comments';
import { MAX_TEXT_LENGTH, sanitizeText } from '../domain/text';

export interface CommentDeps {
  store: Pick<
    ActivityStore,
    'getPerson' | 'getComment' | 'saveComment' | 'listComments' | 'recentAuthors' | 'takeCommentToken'
  >;
  cursorSecret: () => Promise<Buffer>;
  commentsPerMinute: number;
  now: () => Date;
  newId?: () => string;
}

export const COMMENT_NOT_FOUND = 'No such comment.';

const event = <C extends Contract>(contract: C, input: PublishInput<C>): OutboxEvent => ({
  contract,
  input: input as PublishInput<Contract>,
});

/** The text after sanitizing, or a 400 with the field's details. */
export function cleanText(raw: string): string {
  const text = sanitizeText(raw);
  if (text.length < 1 || text.length > MAX_TEXT_LENGTH) {
    throw validationFailed([
      {
        path: 'text',
        message: `Text must be 1 to ${MAX_TEXT_LENGTH} characters once HTML is removed.`,
      },
    ]);
  }
  return text;
}

export async function createComment(
  viewer: Viewer,
  itemId: string,
  rawText: string,
  deps: CommentDeps,
): Promise<CommentView> {
  const text = cleanText(rawText);
  const now = deps.now();
  const window = rateWindow(now);
  if (
    !(await deps.store.takeCommentToken(
      viewer.tenantId,
      viewer.userId,
      window.minute,
      deps.commentsPerMinute,
    ))
  ) {
    throw tooManyRequests({ limit: deps.commentsPerMinute, retryAfterSeconds: window.retryAfterSeconds });
  }
  const person = await deps.store.getPerson(viewer.tenantId, viewer.userId);
  const commentId = `cmt_${(deps.newId ?? randomUUID)().replace(/-/g, '')}`;
  const comment = newComment(
    viewer,
    { itemId, text, ...(person?.displayName ? { authorDisplayName: person.displayName } : {}) },
    commentId,
    now,
  );
  const earlier = earlierCommenters(await deps.store.recentAuthors(viewer.tenantId, itemId), viewer.userId);
  const stored: StoredComment = { ...comment, revision: 1 };
  await deps.store.saveComment(stored, undefined, [
    event(CommentCreated, {
      tenantId: viewer.tenantId,
      commentId,
      itemId,
      authorId: viewer.userId,
      ...(comment.authorDisplayName ? { authorDisplayName: comment.authorDisplayName } : {}),
      textPreview: preview(text),
      earlierCommenterIds: earlier,
      createdAt: comment.createdAt,
    }),
  ]);
  return commentView(comment, viewer);
}

async function loadComment(viewer: Viewer, itemId: string, commentId: string, deps: CommentDeps) {
  const comment = await deps.store.getComment(viewer.tenantId, commentId);
  // A comment of another item answers as a missing one: the path names both.
  if (!comment || comment.itemId !== itemId) throw notFound(COMMENT_NOT_FOUND);
  return comment;
}

export async function updateComment(
  viewer: Viewer,
  itemId: string,
  commentId: string,
  rawText: string,
  deps: CommentDeps,
): Promise<CommentView> {
  const text = cleanText(rawText);
  for (;;) {
    const current = await loadComment(viewer, itemId, commentId, deps);
    const decision = editComment(current, viewer, text, deps.now());
    if (!decision.ok) {
      if (decision.reason === 'deleted') throw notFound(COMMENT_NOT_FOUND);
      throw forbidden('Only the author may edit a comment.');
    }
    const next: StoredComment = { ...decision.comment, revision: current.revision + 1 };
    const saved = await deps.store.saveComment(next, current.revision, [
      event(CommentEdited, {
        tenantId: viewer.tenantId,
        commentId,
        itemId,
        authorId: current.authorId,
        textPreview: preview(text),
        editedAt: next.editedAt ?? deps.now().toISOString(),
      }),
    ]);
    // Another edit landed between the read and the write: apply this one on top of it.
    if (saved) return commentView(next, viewer);
  }
}

export async function removeComment(
  viewer: Viewer,
  itemId: string,
  commentId: string,
  asAdmin: boolean,
  deps: CommentDeps,
): Promise<void> {
  if (asAdmin && !viewer.isAdmin) throw forbidden("Deleting anyone's comment needs the Admins group.");
  for (;;) {
    const current = await loadComment(viewer, itemId, commentId, deps);
    const decision = deleteComment(current, viewer, asAdmin, deps.now());
    if (!decision.ok) throw forbidden('Only the author may delete a comment.');
    if (!decision.changed) return;
    const next: StoredComment = { ...decision.comment, revision: current.revision + 1 };
    const saved = await deps.store.saveComment(next, current.revision, [
      event(CommentDeleted, {
        tenantId: viewer.tenantId,
        commentId,
        itemId,
        authorId: current.authorId,
        deletedBy: viewer.userId,
        byAdmin: asAdmin,
        deletedAt: next.deletedAt ?? deps.now().toISOString(),
      }),
    ]);
    if (saved) return;
  }
}

/** Oldest first; the cursor is signed for this tenant and item, so it cannot be replayed elsewhere. */
export async function listComments(
  viewer: Viewer,
  itemId: string,
  query: { limit: number; cursor?: string | undefined },
  deps: CommentDeps,
): Promise<{ comments: CommentView[]; nextCursor?: string }> {
  const secret = await deps.cursorSecret();
  const scope = { scope: `${viewer.tenantId}:comments:${itemId}` };
  const start = query.cursor ? decodeCursor(query.cursor, secret, scope) : undefined;
  const page = await deps.store.listComments(viewer.tenantId, itemId, query.limit, start);
  return {
    comments: page.items.map((c) => commentView(c, viewer)),
    ...(page.lastKey ? { nextCursor: encodeCursor(page.lastKey, secret, scope) } : {}),
  };
}
