import { activityKeys } from '../../../src/adapters/activity-table';

describe('activity table layout', () => {
  it('keeps every tenant key under the tenant', () => {
    expect(activityKeys.comment('t1', 'cmt_1')).toEqual({ pk: 'T#t1#COMMENT#cmt_1', sk: 'COMMENT' });
    expect(activityKeys.reaction('t1', 'cmt_1', 'like', 'usr_A')).toEqual({
      pk: 'T#t1#COMMENT#cmt_1',
      sk: 'REACTION#like#usr_A',
    });
    expect(activityKeys.person('t1', 'usr_A')).toEqual({ pk: 'T#t1#USER#usr_A', sk: 'PERSON' });
    expect(activityKeys.itemStats('t1', 'a/b')).toEqual({ pk: 'T#t1#ITEM#a/b', sk: 'STATS' });
    expect(activityKeys.itemComments('t1', 'a/b')).toBe('T#t1#ITEM#a/b');
    expect(activityKeys.aggregated('ev1')).toEqual({ pk: 'AGG#ev1', sk: 'AGG' });
  });
});
