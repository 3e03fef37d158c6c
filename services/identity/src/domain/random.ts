/**
 * Randomness and identifiers. Domain code never calls `crypto.randomBytes` itself: callers pass a
 * `RandomBytes` source (the adapter passes `crypto.randomBytes`; tests pass fixed bytes), so every
 * domain function is deterministic under test.
 */

/** Returns `size` cryptographically random bytes. */
export type RandomBytes = (size: number) => Uint8Array;

/** Crockford base32: no I, L, O, U, so ids survive being read aloud or retyped. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Encodes bytes as Crockford base32, 5 bits per character. Callers ask for whole characters only
 * (`chars * 5 <= bytes * 8`), so no bit is padding.
 */
export function base32(bytes: Uint8Array, chars: number): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  let index = 0;
  while (out.length < chars) {
    if (bits < 5) {
      const byte = bytes[index++];
      if (byte === undefined) throw new RangeError(`need more random bytes for ${chars} base32 characters`);
      buffer = ((buffer << 8) | byte) & 0xffff;
      bits += 8;
    }
    bits -= 5;
    out += CROCKFORD[(buffer >> bits) & 31];
  }
  return out;
}

/** Random lowercase Crockford base32 string: url-safe and without `_`, so it can sit between separators. */
export function randomBase32(random: RandomBytes, chars: number): string {
  return base32(random(Math.ceil((chars * 5) / 8)), chars).toLowerCase();
}

/**
 * ULID (https://github.com/ulid/spec): 10 characters of millisecond time then 16 random ones.
 * Ids therefore sort by creation time, which keeps "newest first" listings a plain sort.
 */
export function ulid(now: Date, random: RandomBytes): string {
  const ms = now.getTime();
  if (!Number.isInteger(ms) || ms < 0 || ms > 2 ** 48 - 1) throw new RangeError('time out of ULID range');
  let time = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[rest % 32] + time;
    rest = Math.floor(rest / 32);
  }
  return time + base32(random(10), 16);
}

export const ID_PREFIXES = { tenant: 'ten', user: 'usr' } as const;
export type IdKind = keyof typeof ID_PREFIXES;

/** `ten_01J...`, `usr_01J...`: the prefix tells a reader (and a log search) what kind of id it is. */
export function newId(kind: IdKind, now: Date, random: RandomBytes): string {
  return `${ID_PREFIXES[kind]}_${ulid(now, random)}`;
}

const ULID_PATTERN = '[0-9A-HJKMNP-TV-Z]{26}';

/** True when `value` is an id of that kind (`newId`'s format). */
export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}_${ULID_PATTERN}$`).test(value);
}
