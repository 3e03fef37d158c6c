import { HttpError } from '../../src/errors';
import { decodeCursor, encodeCursor, InvalidCursorError } from '../../src/pagination';

const secret = 'test-secret-that-is-long-enough-0123456789';
const scope = { scope: 'tenant-1:events' };
const key = { pk: 'tenant#tenant-1', sk: 'event#01J9Z8Y7X6W5V4T3S2R1Q0P9O8', gsi1pk: 'ä € 😀', n: 42 };

const rejects = (cursor: string, s = secret, options = scope) => {
  try {
    decodeCursor(cursor, s, options);
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('pagination cursors', () => {
  it('round-trips a LastEvaluatedKey, including non-ASCII values', () => {
    const cursor = encodeCursor(key, secret, scope);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, secret, scope)).toEqual(key);
  });

  it('rejects a cursor with any single character changed', () => {
    const cursor = encodeCursor(key, secret, scope);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
    for (let i = 0; i < cursor.length; i++) {
      // Two different replacements per position, so a lucky alias of one cannot hide a gap.
      for (const shift of [1, 31]) {
        const original = cursor[i]!;
        const replacement = alphabet[(alphabet.indexOf(original) + shift) % alphabet.length]!;
        const tampered = cursor.slice(0, i) + replacement + cursor.slice(i + 1);
        expect({ i, shift, error: rejects(tampered) }).toEqual({
          i,
          shift,
          error: expect.any(InvalidCursorError),
        });
      }
    }
  });

  it('rejects truncated and extended cursors', () => {
    const cursor = encodeCursor(key, secret, scope);
    for (let length = 0; length < cursor.length; length++) {
      expect(rejects(cursor.slice(0, length))).toBeInstanceOf(InvalidCursorError);
    }
    expect(rejects(cursor + 'A')).toBeInstanceOf(InvalidCursorError);
    expect(rejects(cursor + '.')).toBeInstanceOf(InvalidCursorError);
  });

  it('rejects a cursor under another secret or another scope (no replay across tenants)', () => {
    const cursor = encodeCursor(key, secret, scope);
    expect(rejects(cursor, 'another-secret-that-is-long-enough')).toBeInstanceOf(InvalidCursorError);
    expect(rejects(cursor, secret, { scope: 'tenant-2:events' })).toBeInstanceOf(InvalidCursorError);
    expect(rejects(cursor, secret, { scope: 'tenant-1:deliveries' })).toBeInstanceOf(InvalidCursorError);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not a cursor at all'],
    ['one segment', 'eyJhIjoxfQ'],
    ['three segments', 'a.b.c'],
    ['padding', 'eyJhIjoxfQ==.AAAA'],
    ['huge', 'A'.repeat(5000) + '.AAAA'],
  ])('rejects %s input', (_name, cursor) => {
    expect(rejects(cursor)).toBeInstanceOf(InvalidCursorError);
  });

  it('rejects a correctly signed payload that is not a key object', () => {
    // Forge with the real secret to prove the shape check, not the MAC, catches these.
    for (const notAKey of [[1, 2], 'string', 7, null]) {
      const cursor = encodeCursor(notAKey as unknown as Record<string, unknown>, secret, scope);
      const error = rejects(cursor);
      expect(error).toBeInstanceOf(InvalidCursorError);
      expect((error as InvalidCursorError).reason).toBe('payload is not an object');
    }
  });

  it('fails as the runtime 400 invalid_cursor without telling the client why', () => {
    const error = rejects('garbage');
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({
      status: 400,
      code: 'invalid_cursor',
      message: 'The pagination cursor is invalid.',
    });
  });

  it('refuses a missing or short secret as a server error, not a client one', () => {
    expect(() => encodeCursor(key, '', scope)).toThrow(/secret/);
    expect(() => encodeCursor(key, 'short', scope)).toThrow(/secret/);
    const cursor = encodeCursor(key, secret, scope);
    const error = rejects(cursor, undefined as unknown as string);
    expect(error).not.toBeInstanceOf(HttpError);
  });
});
