/**
 * Peek, replay and purge over a small queue port, so their logic is tested without AWS and runs the
 * same against the local cloud and AWS (see sqs-ops.ts for the SQS adapter).
 *
 * Safety rules, for every message:
 * - replay sends the copy BEFORE deleting the original: a crash in between leaves a duplicate (which
 *   consumers absorb: they are idempotent on the header id), never a loss;
 * - a stop request (Ctrl-C) is honoured between messages: the message in flight is sent and deleted,
 *   everything not yet handled is made visible again at once, so nothing is lost or doubled;
 * - messages that are received but not moved (not selected, failed, dry run, after a stop) are
 *   released (visibility 0) before the command returns;
 * - a message this run sent that fails again and comes back to the DLQ while the run lasts is not
 *   sent a second time (SQS keeps a message's id when it redrives it): it is counted as `returned`,
 *   a sign that the consumer is still broken;
 * - purge writes each batch to the backup before deleting it.
 */
import type { DecodedMessage, SqsMessageLike } from './decode';
import { decodeMessage } from './decode';
import type { ReplayFilter } from './filter';
import { matches } from './filter';
import { RateLimiter } from './rate';

export interface QueuePort {
  receive(
    queueUrl: string,
    options: { max: number; visibilityTimeout: number; waitSeconds: number },
  ): Promise<SqsMessageLike[]>;
  /** Resolves with the new message's id (SQS keeps it if that message is redriven to a DLQ again). */
  send(queueUrl: string, message: SqsMessageLike): Promise<string | undefined>;
  delete(queueUrl: string, receiptHandle: string): Promise<void>;
  deleteBatch(queueUrl: string, receiptHandles: string[]): Promise<{ failed: string[] }>;
  /** Makes received messages visible again at once (ChangeMessageVisibility 0). */
  release(queueUrl: string, receiptHandles: string[]): Promise<void>;
}

/** Rounds of receives that bring nothing new before a queue counts as drained. */
const DRAINED_AFTER_EMPTY_ROUNDS = 2;

export interface PeekOptions {
  port: QueuePort;
  queueUrl: string;
  limit: number;
  /** How long peeked messages stay hidden while the peek runs (they are released at the end). */
  visibilityTimeout?: number;
}

/** Up to `limit` messages, each once, left in the queue and visible again when this returns. */
export async function peekMessages(options: PeekOptions): Promise<SqsMessageLike[]> {
  const seen = new Map<string, SqsMessageLike>();
  let empty = 0;
  try {
    while (seen.size < options.limit && empty < DRAINED_AFTER_EMPTY_ROUNDS) {
      const batch = await options.port.receive(options.queueUrl, {
        max: Math.min(10, options.limit - seen.size),
        visibilityTimeout: options.visibilityTimeout ?? 30,
        waitSeconds: 1,
      });
      let fresh = 0;
      for (const message of batch) {
        const id = message.MessageId ?? '';
        if (!seen.has(id)) fresh += 1;
        seen.set(id, message);
      }
      empty = fresh === 0 ? empty + 1 : 0;
    }
  } finally {
    await options.port.release(
      options.queueUrl,
      [...seen.values()].map((m) => m.ReceiptHandle!).filter(Boolean),
    );
  }
  return [...seen.values()].slice(0, options.limit);
}

export interface ReplayProgress {
  examined: number;
  moved: number;
  selected: number;
  skipped: number;
  failed: number;
  /** Messages this run sent that failed again and came back to the DLQ (left there). */
  returned: number;
}

export interface ReplayOptions {
  port: QueuePort;
  dlqUrl: string;
  targetUrl: string;
  filter: ReplayFilter;
  dryRun: boolean;
  /** Messages per second sent to the target. */
  rate: number;
  /** Stop after moving (or, in a dry run, selecting) this many. */
  max?: number;
  /** Whether the operator asked to stop (checked between messages). */
  stopSignal?: AbortSignal;
  /** How long received messages stay hidden while the replay runs; default 300 s. */
  visibilityTimeout?: number;
  limiter?: RateLimiter;
  onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayResult extends ReplayProgress {
  /** SQS ids of the moved messages (dry run: of the selected ones). */
  movedIds: string[];
  /** Dry run: what would move. */
  selectedMessages: DecodedMessage[];
  failures: { messageId: string; error: string }[];
  /** Sent to the target but not deleted from the DLQ: they are now in both (consumers de-duplicate). */
  sentNotDeleted: string[];
  interrupted: boolean;
}

export async function replayMessages(options: ReplayOptions): Promise<ReplayResult> {
  const { port, dlqUrl } = options;
  const limiter = options.limiter ?? new RateLimiter(options.rate);
  const held = new Map<string, string>(); // message id -> latest receipt handle, released at the end
  const done = new Set<string>();
  const sent = new Set<string>(); // ids of the copies this run sent
  const result: ReplayResult = {
    examined: 0,
    moved: 0,
    selected: 0,
    skipped: 0,
    failed: 0,
    returned: 0,
    movedIds: [],
    selectedMessages: [],
    failures: [],
    sentNotDeleted: [],
    interrupted: false,
  };
  const stopped = () => options.stopSignal?.aborted === true;
  const reachedMax = () =>
    options.max !== undefined && (options.dryRun ? result.selected : result.moved) >= options.max;
  const progress = () =>
    options.onProgress?.({
      examined: result.examined,
      moved: result.moved,
      selected: result.selected,
      skipped: result.skipped,
      failed: result.failed,
      returned: result.returned,
    });

  let empty = 0;
  try {
    while (!stopped() && !reachedMax() && empty < DRAINED_AFTER_EMPTY_ROUNDS) {
      const batch = await port.receive(dlqUrl, {
        max: 10,
        visibilityTimeout: options.visibilityTimeout ?? 300,
        waitSeconds: 1,
      });
      let fresh = 0;
      for (const message of batch) {
        const id = message.MessageId ?? '';
        const handle = message.ReceiptHandle ?? '';
        if (done.has(id) || held.has(id)) {
          // Seen before (its visibility ran out): keep only the newest receipt handle.
          if (held.has(id)) held.set(id, handle);
          continue;
        }
        fresh += 1;
        if (sent.has(id)) {
          // One of our copies, refused again by the consumer: do not go round in circles.
          result.returned += 1;
          held.set(id, handle);
          progress();
          continue;
        }
        if (stopped() || reachedMax()) {
          held.set(id, handle);
          continue;
        }
        result.examined += 1;
        const decoded = decodeMessage(message);
        if (!matches(decoded, options.filter)) {
          result.skipped += 1;
          held.set(id, handle);
          progress();
          continue;
        }
        result.selected += 1;
        if (options.dryRun) {
          result.selectedMessages.push(decoded);
          result.movedIds.push(id);
          held.set(id, handle);
          progress();
          continue;
        }
        if (!(await limiter.take(options.stopSignal))) {
          result.selected -= 1;
          result.examined -= 1;
          held.set(id, handle);
          continue;
        }
        try {
          const copy = await port.send(options.targetUrl, message);
          if (copy) sent.add(copy);
        } catch (error) {
          result.failed += 1;
          result.failures.push({ messageId: id, error: (error as Error).message });
          held.set(id, handle);
          progress();
          continue;
        }
        try {
          await port.delete(dlqUrl, handle);
        } catch (error) {
          result.sentNotDeleted.push(id);
          result.failures.push({
            messageId: id,
            error: `sent, but not deleted: ${(error as Error).message}`,
          });
        }
        done.add(id);
        result.moved += 1;
        result.movedIds.push(id);
        progress();
      }
      empty = fresh === 0 ? empty + 1 : 0;
    }
  } finally {
    result.interrupted = stopped();
    await port.release(dlqUrl, [...held.values()].filter(Boolean));
  }
  return result;
}

export interface PurgeOptions {
  port: QueuePort;
  dlqUrl: string;
  /** Writes a batch durably before it is deleted; throws to stop the purge. */
  backup: (messages: SqsMessageLike[]) => Promise<void>;
  stopSignal?: AbortSignal;
  onProgress?: (purged: number) => void;
}

export interface PurgeResult {
  purged: number;
  failed: number;
  purgedIds: string[];
  interrupted: boolean;
}

export async function purgeMessages(options: PurgeOptions): Promise<PurgeResult> {
  const { port, dlqUrl } = options;
  const result: PurgeResult = { purged: 0, failed: 0, purgedIds: [], interrupted: false };
  const leftover: string[] = [];
  let empty = 0;
  try {
    while (empty < DRAINED_AFTER_EMPTY_ROUNDS && options.stopSignal?.aborted !== true) {
      const batch = await port.receive(dlqUrl, { max: 10, visibilityTimeout: 120, waitSeconds: 1 });
      if (batch.length === 0) {
        empty += 1;
        continue;
      }
      empty = 0;
      try {
        await options.backup(batch);
      } catch (error) {
        leftover.push(...batch.map((m) => m.ReceiptHandle!));
        throw error;
      }
      const { failed } = await port.deleteBatch(
        dlqUrl,
        batch.map((m) => m.ReceiptHandle!),
      );
      const failedHandles = new Set(failed);
      for (const message of batch) {
        if (failedHandles.has(message.ReceiptHandle!)) {
          result.failed += 1;
          leftover.push(message.ReceiptHandle!);
        } else {
          result.purged += 1;
          result.purgedIds.push(message.MessageId ?? '');
        }
      }
      options.onProgress?.(result.purged);
    }
  } finally {
    result.interrupted = options.stopSignal?.aborted === true;
    if (leftover.length) await port.release(dlqUrl, leftover);
  }
  return result;
}
