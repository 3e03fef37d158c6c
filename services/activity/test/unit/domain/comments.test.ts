import {
  commentView,
  deleteComment,
  earlierCommenters,
  editComment,
  newComment,
  rateWindow,
} from '../../../src/domain/comments';

const author = { tenantId: 't1', userId: 'usr_A', isAdmin: false };
const other = { tenantId: 't1', userId: 'usr_B', isAdmin: false };
const admin = { tenantId: 't1', userId: 'usr_C', isAdmin: true };
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const comment = newComment(author, { itemId: 'doc/1', text: 'v0' }, 'cmt_1', at(0));

describe('comments', () => {
  it('keeps the last 5 versions of a comment edited 7 times', () => {
    let current = comment;
    for (let i = 1; i <= 7; i += 1) {
      const decision = editComment(current, author, `v${i}`, at(i));
      if (!decision.ok) throw new Error('edit refused');
      current = decision.comment;
    }
    expect(current.text).toBe('v7');
    expect(current.editHistory.map((v) => v.text)).toEqual(['v2', 'v3', 'v4', 'v5', 'v6']);
  });

  it('lets only the author edit', () => {
    expect(editComment(comment, other, 'x', at(1))).toEqual({ ok: false, reason: 'not_author' });
    expect(editComment(comment, admin, 'x', at(1))).toEqual({ ok: false, reason: 'not_author' });
  });

  it('deletes softly: a tombstone without text, for the author or an admin', () => {
    expect(deleteComment(comment, other, false, at(1))).toEqual({ ok: false, reason: 'not_author' });
    expect(deleteComment(comment, other, true, at(1))).toEqual({ ok: false, reason: 'not_admin' });
    const byAdmin = deleteComment(comment, admin, true, at(1));
    if (!byAdmin.ok) throw new Error('refused');
    const view = commentView(byAdmin.comment, author);
    expect(view).toEqual({
      commentId: 'cmt_1',
      itemId: 'doc/1',
      authorId: 'usr_A',
      createdAt: at(0).toISOString(),
      deleted: true,
      deletedAt: at(1).toISOString(),
    });
    const again = deleteComment(byAdmin.comment, admin, true, at(2));
    expect(again.ok && again.changed).toBe(false);
  });

  it('shows the edit history to the author and admins only', () => {
    const edited = editComment(comment, author, 'v1', at(1));
    if (!edited.ok) throw new Error('refused');
    expect(commentView(edited.comment, author)).toHaveProperty('editHistory');
    expect(commentView(edited.comment, admin)).toHaveProperty('editHistory');
    expect(commentView(edited.comment, other)).not.toHaveProperty('editHistory');
  });

  it('names earlier commenters once each, without the author', () => {
    expect(earlierCommenters(['usr_B', 'usr_A', 'usr_B', 'usr_C'], 'usr_A')).toEqual(['usr_B', 'usr_C']);
  });

  it('tells how long until the rate window ends', () => {
    expect(rateWindow(new Date(Date.UTC(2026, 0, 1, 0, 0, 45)))).toEqual({
      minute: Math.floor(Date.UTC(2026, 0, 1) / 60_000),
      retryAfterSeconds: 15,
    });
  });
});
