import { base32, isId, newId, randomBase32, ulid } from '../../../src/domain/random';
import { NOW, seededRandom } from './fixtures';

describe('identifiers', () => {
  it('encodes bytes as Crockford base32', () => {
    // 0xFF 0xFF = 11111 11111 111111 → "ZZZ" (first 15 bits).
    expect(base32(Uint8Array.from([0xff, 0xff]), 3)).toBe('ZZZ');
    expect(base32(Uint8Array.from([0x00, 0x00]), 3)).toBe('000');
    // 00001 00010 → "12"
    expect(base32(Uint8Array.from([0b00001000, 0b10000000]), 2)).toBe('12');
  });

  it('refuses to read past the random bytes it was given', () => {
    expect(() => base32(Uint8Array.from([1]), 3)).toThrow(RangeError);
  });

  it('makes ULIDs whose first 10 characters encode the time, so ids sort by creation', () => {
    const random = seededRandom('ulid');
    const id = ulid(new Date(0x01_8f_00_00_00_00), random);
    expect(id).toHaveLength(26);
    expect(ulid(new Date(0), random).slice(0, 10)).toBe('0000000000');
    const earlier = ulid(NOW, random);
    const later = ulid(new Date(NOW.getTime() + 1), random);
    expect(earlier < later).toBe(true);
  });

  it('rejects times a ULID cannot hold', () => {
    expect(() => ulid(new Date(Number.NaN), seededRandom('x'))).toThrow(RangeError);
  });

  it('prefixes ids by kind and recognises them', () => {
    const random = seededRandom('ids');
    const tenantId = newId('tenant', NOW, random);
    expect(tenantId).toMatch(/^ten_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(isId('tenant', tenantId)).toBe(true);
    expect(isId('user', tenantId)).toBe(false);
    expect(isId('user', newId('user', NOW, random))).toBe(true);
    expect(isId('tenant', 'ten_not-a-ulid')).toBe(false);
  });

  it('draws lowercase url-safe strings without underscores', () => {
    const value = randomBase32(seededRandom('b32'), 20);
    expect(value).toMatch(/^[0-9a-hjkmnp-tv-z]{20}$/);
  });
});
