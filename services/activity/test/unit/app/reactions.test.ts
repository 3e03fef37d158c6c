import type { Reaction, StoredComment } from '../../../src/adapters/activity-store';
import type { ReactionDeps } from '../../../src/app/reactions';
import { toggleReaction } from '../../../src/app/reactions';

/** An in-memory store whose conditional writes behave as DynamoDB's, with a yield between steps. */
function fakeStore(): ReactionDeps['store'] & { rows: Map<string, Reaction> } {
  const rows = new Map<string, Reaction>();
  const comment: StoredComment = {
    tenantId: 't1',
    commentId: 'cmt_1',
    itemId: 'doc',
    authorId: 'usr_A',
    text: 'hi',
    createdAt: '2026-01-01T00:00:00.000Z',
    editHistory: [],
    deleted: false,
    revision: 1,
  };
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  const key = (r: { userId: string; type: string }) => `${r.type}#${r.userId}`;
  return {
    rows,
    getComment: async (tenantId, id) => (tenantId === 't1' && id === 'cmt_1' ? comment : undefined),
    reactions: async () => {
      await tick();
      return [...rows.values()];
    },
    addReaction: async (r) => {
      await tick();
      if (rows.has(key(r))) return false;
      rows.set(key(r), r);
      return true;
    },
    removeReaction: async (r) => {
      await tick();
      return rows.delete(key(r));
    },
    commentStats: async () => ({ reactionCount: rows.size, byType: {} }),
  };
}

describe('toggleReaction', () => {
  const viewer = { tenantId: 't1', userId: 'usr_B', isAdmin: false };

  it('adds, then removes', async () => {
    const store = fakeStore();
    const deps = { store, now: () => new Date() };
    expect(await toggleReaction(viewer, 'cmt_1', 'like', deps)).toEqual({
      reacted: true,
      counts: { like: 1 },
    });
    expect(await toggleReaction(viewer, 'cmt_1', 'like', deps)).toEqual({ reacted: false, counts: {} });
  });

  it('leaves one row or none after 20 concurrent toggles, and says so consistently', async () => {
    const store = fakeStore();
    const deps = { store, now: () => new Date() };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => toggleReaction(viewer, 'cmt_1', 'like', deps)),
    );
    const added = answers.filter((a) => a.reacted).length;
    expect(added - (20 - added)).toBe(store.rows.size);
    expect(store.rows.size).toBe(0);
  });

  it('answers 404 for a comment of another tenant', async () => {
    const deps = { store: fakeStore(), now: () => new Date() };
    await expect(toggleReaction({ ...viewer, tenantId: 't2' }, 'cmt_1', 'like', deps)).rejects.toMatchObject({
      status: 404,
    });
  });
});
