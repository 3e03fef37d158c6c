import { personActivityChange, planAggregation } from '../../../src/domain/aggregation';

const comment = (deleted: boolean) => ({
  kind: 'comment',
  tenantId: 't1',
  itemId: 'doc/1',
  commentId: 'cmt_1',
  authorId: 'usr_A',
  deleted,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('planAggregation', () => {
  it('counts a new comment for its item and its author', () => {
    const plan = planAggregation('INSERT', undefined, comment(false));
    expect(plan?.deltas).toEqual([
      { target: { kind: 'item', itemId: 'doc/1' }, add: { commentCount: 1 } },
      { target: { kind: 'person', userId: 'usr_A' }, add: { commentCount: 1 } },
    ]);
    expect(plan?.activeAt).toEqual({ userId: 'usr_A', at: '2026-01-01T00:00:00.000Z' });
  });

  it('takes a soft-deleted comment away, and an edit changes nothing', () => {
    expect(planAggregation('MODIFY', comment(false), comment(true))?.deltas).toEqual([
      { target: { kind: 'item', itemId: 'doc/1' }, add: { commentCount: -1 } },
      { target: { kind: 'person', userId: 'usr_A' }, add: { commentCount: -1 } },
    ]);
    expect(planAggregation('MODIFY', comment(false), comment(false))?.deltas).toEqual([]);
    expect(planAggregation('MODIFY', comment(true), comment(true))?.deltas).toEqual([]);
  });

  it('moves the reaction counts with the rows', () => {
    const row = { kind: 'reaction', tenantId: 't1', commentId: 'cmt_1', userId: 'usr_B', type: 'love' };
    expect(planAggregation('INSERT', undefined, row)?.deltas).toEqual([
      { target: { kind: 'comment', commentId: 'cmt_1' }, add: { reactionCount: 1, count_love: 1 } },
    ]);
    expect(planAggregation('REMOVE', row, undefined)?.deltas).toEqual([
      { target: { kind: 'comment', commentId: 'cmt_1' }, add: { reactionCount: -1, count_love: -1 } },
    ]);
  });

  it('ignores its own counters, markers and the outbox', () => {
    expect(planAggregation('INSERT', undefined, { kind: 'stats', tenantId: 't1' })).toBeUndefined();
    expect(planAggregation('INSERT', undefined, { kind: 'aggregated' })).toBeUndefined();
    expect(planAggregation('INSERT', undefined, { pk: 'OUTBOX#1' } as never)).toBeUndefined();
  });
});

describe('personActivityChange', () => {
  const person = (countersVersion: number | undefined, extra: Record<string, unknown> = {}) => ({
    kind: 'person',
    tenantId: 't1',
    userId: 'usr_A',
    displayName: 'Ada',
    ...(countersVersion === undefined ? {} : { countersVersion }),
    ...extra,
  });

  it('tells the new totals when the counters moved', () => {
    expect(
      personActivityChange(
        person(1, { commentCount: 1 }),
        person(2, { commentCount: 2, lastActiveAt: '2026-01-01T00:00:00.000Z' }),
      ),
    ).toEqual({
      tenantId: 't1',
      userId: 'usr_A',
      commentCount: 2,
      lastActiveAt: '2026-01-01T00:00:00.000Z',
      countersVersion: 2,
    });
    expect(personActivityChange(undefined, person(1, { commentCount: 1 }))?.commentCount).toBe(1);
  });

  it('says nothing for a name change, a person without counters, or another kind of item', () => {
    const renamed: Record<string, unknown> = { ...person(3), displayName: 'Ada L.' };
    expect(personActivityChange(person(3), renamed)).toBeUndefined();
    expect(personActivityChange(undefined, person(undefined))).toBeUndefined();
    expect(personActivityChange(undefined, { ...person(1), kind: 'comment' })).toBeUndefined();
  });
});
