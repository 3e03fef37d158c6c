import { conversationIdFor, kindOf, participantsOf } from '../../../src/domain/conversations';
import { safeFilename } from '../../../src/app/uploads';

describe('conversations', () => {
  const newId = () => 'aaaa-bbbb';

  it('always counts the caller in, each person once', () => {
    expect(participantsOf('usr_B', ['usr_A', 'usr_B', 'usr_A'])).toEqual(['usr_A', 'usr_B']);
    expect(participantsOf('usr_B', [])).toEqual(['usr_B']);
  });

  it('gives two people one direct id whoever starts it, different per pair and tenant', () => {
    const ab = conversationIdFor('t1', ['usr_A', 'usr_B'], newId);
    expect(conversationIdFor('t1', ['usr_B', 'usr_A'], newId)).toBe(ab);
    expect(ab).toMatch(/^dm_[0-9a-f]{32}$/);
    expect(conversationIdFor('t1', ['usr_A', 'usr_C'], newId)).not.toBe(ab);
    expect(conversationIdFor('t2', ['usr_A', 'usr_B'], newId)).not.toBe(ab);
    expect(kindOf(['usr_A', 'usr_B'])).toBe('direct');
  });

  it('gives a group a new id', () => {
    expect(conversationIdFor('t1', ['a', 'b', 'c'], newId)).toBe('grp_aaaabbbb');
    expect(kindOf(['a', 'b', 'c'])).toBe('group');
  });

  it('keeps upload file names safe in a key', () => {
    expect(safeFilename('report ü.pdf')).toBe('report_.pdf');
    expect(safeFilename('../../etc/passwd')).toBe('etc_passwd');
    expect(safeFilename('...')).toBe('file');
    expect(safeFilename(`${'x'.repeat(300)}.png`)).toHaveLength(100);
  });
});
