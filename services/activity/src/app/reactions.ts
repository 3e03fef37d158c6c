/** Reactions: one row per person, comment and type; a toggle adds or removes the caller's row. */
import { ReactionAdded, ReactionRemoved } from '@switchyard/contracts';
import type { Contract } from '@switchyard/contracts';
import type { PublishInput } from '@switchyard/runtime';
import { notFound } from '@switchyard/runtime';
import type { ActivityStore } from '../adapters/activity-store';
import type { Viewer } from '../domain/comments';

export interface ReactionDeps {
  store: Pick<ActivityStore, 'getComment' | 'addReaction' | 'removeReaction' | 'reactions' | 'commentStats'>;
  now: () => Date;
}

export const COMMENT_NOT_FOUND = 'No such comment.';

/** Counts per type of a comment's reaction rows. */
export function countReactions(rows: { type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[row.type] = (counts[row.type] ?? 0) + 1;
  return counts;
}

async function visibleComment(viewer: Viewer, commentId: string, deps: ReactionDeps) {
  const comment = await deps.store.getComment(viewer.tenantId, commentId);
  if (!comment || comment.deleted) throw notFound(COMMENT_NOT_FOUND);
  return comment;
}

/**
 * Adds the caller's reaction if it is absent, removes it if present. Each step is a conditional
 * write, so concurrent toggles by the same person serialise on the row: when a step loses a race
 * (the row appeared or vanished meanwhile) the toggle looks again and takes the other step. The
 * counts answered are those of the rows themselves, read strongly consistent after the change.
 */
export async function toggleReaction(
  viewer: Viewer,
  commentId: string,
  type: string,
  deps: ReactionDeps,
): Promise<{ reacted: boolean; counts: Record<string, number> }> {
  const comment = await visibleComment(viewer, commentId, deps);
  const base = {
    tenantId: viewer.tenantId,
    commentId,
    itemId: comment.itemId,
    commentAuthorId: comment.authorId,
    reactorId: viewer.userId,
    type: type as PublishInput<typeof ReactionAdded>['type'],
  };
  const row = { tenantId: viewer.tenantId, commentId, userId: viewer.userId, type };
  let reacted: boolean | undefined;
  for (let attempt = 0; attempt < 50 && reacted === undefined; attempt += 1) {
    const rows = await deps.store.reactions(viewer.tenantId, commentId);
    const mine = rows.some((r) => r.userId === viewer.userId && r.type === type);
    const at = deps.now().toISOString();
    if (mine) {
      const removed = await deps.store.removeReaction(row, [
        {
          contract: ReactionRemoved as Contract,
          input: { ...base, removedAt: at } as PublishInput<Contract>,
        },
      ]);
      if (removed) reacted = false;
    } else {
      const added = await deps.store.addReaction({ ...row, createdAt: at }, [
        { contract: ReactionAdded as Contract, input: { ...base, addedAt: at } as PublishInput<Contract> },
      ]);
      if (added) reacted = true;
    }
  }
  if (reacted === undefined) throw new Error('reaction toggle kept losing races');
  return { reacted, counts: countReactions(await deps.store.reactions(viewer.tenantId, commentId)) };
}

/**
 * Who reacted, the counts of the rows, and `reactionCount`: the aggregator's counter from the stream,
 * which follows the rows a moment later.
 */
export async function listReactions(viewer: Viewer, commentId: string, deps: ReactionDeps) {
  await visibleComment(viewer, commentId, deps);
  const [rows, stats] = await Promise.all([
    deps.store.reactions(viewer.tenantId, commentId),
    deps.store.commentStats(viewer.tenantId, commentId),
  ]);
  return {
    counts: countReactions(rows),
    reactionCount: stats.reactionCount,
    reactions: rows
      .map((r) => ({ userId: r.userId, type: r.type, createdAt: r.createdAt }))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
  };
}
