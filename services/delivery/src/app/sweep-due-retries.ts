/**
 * Long waits: waits longer than SQS can hold are scheduled durably, not slept inside a function.
 * A retry due in more than MAX_QUEUE_DELAY_SECONDS (15 min) is kept on its message
 * (`duePk`/`dueAt`, sparse index `due`, 10 shards); every minute the sweeper finds what falls due
 * within SWEEP_LOOKAHEAD_SECONDS and queues its DeliveryRequested with the rest of the wait as SQS
 * DelaySeconds, so retries keep their time to the second, not to the sweep.
 *
 * Queue first, then release the index entry (conditioned on the `dueAt` read): a crash in between
 * queues the request again next run, and `deliver` drops the duplicate. A run stops taking new
 * pages before its time budget is spent; what is left waits for the next run.
 */
import type { AttemptRequest } from '../adapters/dispatch';
import { requestAttempts } from '../adapters/dispatch';
import type { DeliveryStore, DueMessage } from '../adapters/delivery-store';
import { deliveryStore } from '../adapters/delivery-store';
import { dueShards } from '../adapters/delivery-table';
import { config } from '../config';

/** Index entries read per query. */
const PAGE_SIZE = 100;

export interface SweepDeps {
  store: Pick<DeliveryStore, 'dueMessages' | 'releaseDue'>;
  requestAttempts: (requests: AttemptRequest[]) => Promise<void>;
  lookaheadSeconds: number;
  now: () => Date;
  /** Stop starting new pages after this time (epoch ms). */
  deadline: number;
}

export interface SweepSummary {
  queued: number;
  released: number;
}

/** The real store and queues, for a run with `remainingMs` left before the function times out. */
export function sweepDeps(remainingMs: number): SweepDeps {
  return {
    store: deliveryStore(),
    requestAttempts: (requests) => requestAttempts(requests),
    lookaheadSeconds: config().SWEEP_LOOKAHEAD_SECONDS,
    now: () => new Date(),
    // Leave room for the page in flight to be queued and released.
    deadline: Date.now() + Math.max(1_000, remainingMs - 15_000),
  };
}

async function sweepShard(shard: string, deps: SweepDeps): Promise<SweepSummary> {
  const summary: SweepSummary = { queued: 0, released: 0 };
  const seen = new Set<string>();
  while (Date.now() < deps.deadline) {
    const now = deps.now();
    const until = new Date(now.getTime() + deps.lookaheadSeconds * 1000).toISOString();
    const due = (await deps.store.dueMessages(shard, until, PAGE_SIZE)).filter(
      (m) => !seen.has(`${m.eventId}|${m.subscriptionId}|${m.dueAt}`),
    );
    if (due.length === 0) break;
    await deps.requestAttempts(
      due.map((m: DueMessage) => ({
        tenantId: m.tenantId,
        eventId: m.eventId,
        subscriptionId: m.subscriptionId,
        trigger: 'scheduled',
        attempt: m.attempt,
        delaySeconds: Math.max(0, Math.ceil((Date.parse(m.dueAt) - now.getTime()) / 1000)),
      })),
    );
    summary.queued += due.length;
    for (const m of due) {
      seen.add(`${m.eventId}|${m.subscriptionId}|${m.dueAt}`);
      if (await deps.store.releaseDue(m)) summary.released += 1;
    }
  }
  return summary;
}

/** Sweeps every shard of the due index at once. */
export async function sweepDueRetries(deps: SweepDeps): Promise<SweepSummary> {
  const results = await Promise.all(dueShards().map((shard) => sweepShard(shard, deps)));
  return results.reduce(
    (sum, r) => ({ queued: sum.queued + r.queued, released: sum.released + r.released }),
    { queued: 0, released: 0 },
  );
}
