import { createHash } from 'node:crypto';
import type { RandomBytes } from '../../../src/domain/random';
import type { UserRecord } from '../../../src/domain/users';

/** Deterministic "random" bytes: SHA-256 in counter mode over a seed, so tests are repeatable. */
export function seededRandom(seed: string): RandomBytes {
  let counter = 0;
  return (size) => {
    const out = Buffer.alloc(size);
    for (let offset = 0; offset < size; offset += 32) {
      createHash('sha256').update(`${seed}:${counter++}`).digest().copy(out, offset);
    }
    return out;
  };
}

/** Returns the given byte arrays in order, then fails: for tests that need exact bytes. */
export function scriptedRandom(...chunks: number[][]): RandomBytes {
  const queue = [...chunks];
  return (size) => {
    const next = queue.shift();
    if (!next) throw new Error('scriptedRandom: out of bytes');
    if (next.length !== size)
      throw new Error(`scriptedRandom: asked for ${size} bytes, scripted ${next.length}`);
    return Uint8Array.from(next);
  };
}

export const NOW = new Date('2025-06-01T12:00:00.000Z');

export const minutes = (n: number) => n * 60 * 1000;

export const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

/** A stored user: an active admin of a fixed tenant at revision 1, epoch 0, unless overridden. */
export function aUser(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    userId: 'usr_01JX0000000000000000000001',
    tenantId: 'ten_01JX0000000000000000000000',
    email: 'ann@example.com',
    emailVerified: true,
    role: 'admin',
    groups: ['Admins'],
    status: 'active',
    createdAt: NOW.toISOString(),
    revision: 1,
    sessionEpoch: 0,
    ...overrides,
  };
}
