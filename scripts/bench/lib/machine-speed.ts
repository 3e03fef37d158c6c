// How fast the machine is at the moment: a fixed workload, timed. A shared VM's speed drifts by half
// or more within an hour, so figures of runs made at different times compare only beside it.
import { createHash } from 'node:crypto';

/** The workload: what the platform's code mostly does (JSON, hashing, small objects), on one thread. */
function workload(): number {
  const record = {
    tenantId: 'ten_01M98P249GQFYAYA6CKQ1E7TV4',
    eventType: 'order.item.added',
    payload: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, `value ${i} `.repeat(3)])),
  };
  let checksum = 0;
  for (let i = 0; i < 6_000; i++) {
    const text = JSON.stringify({ ...record, sequence: i });
    const parsed = JSON.parse(text) as { sequence: number };
    checksum += parsed.sequence + createHash('sha256').update(text).digest()[0]!;
  }
  const block = Buffer.alloc(1 << 20, 7);
  const hash = createHash('sha256');
  for (let i = 0; i < 96; i++) hash.update(block);
  return checksum + hash.digest()[0]!;
}

/**
 * Milliseconds the reference workload takes now (lower is faster): the best of `repeats` runs, since
 * a run can only be slowed, never sped up, by what else runs beside it.
 */
export function referenceWorkloadMs(repeats = 3): number {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    workload();
    best = Math.min(best, performance.now() - started);
  }
  return Math.round(best * 10) / 10;
}
