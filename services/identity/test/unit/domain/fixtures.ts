import { createHash } from 'node:crypto';
import type { RandomBytes } from '../../../src/domain/random';

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
