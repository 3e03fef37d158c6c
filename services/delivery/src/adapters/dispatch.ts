/**
 * Asks the engine for attempts: DeliveryRequested on `delivery-<stage>-attempts` (or the slow lane's
 * queue), consumed by `deliver` (one attempt per message). The retry schedule, fan-out and the
 * sweeper use it, and so do the API's resend, recover and test use cases (../app/manual-attempts.ts):
 *
 * ```ts
 * await requestAttempts([{ tenantId, subscriptionId, eventId, trigger: 'resend' }]);
 * ```
 *
 * A manual attempt (resend / recover / test) is one attempt outside the retry schedule, recorded
 * with its trigger; the message keeps its webhook-id. It needs the message (and the event copy) to
 * exist: fan-out made them, or, for a test event, `deliveryStore().createEventAndMessage(...)`.
 * The engine refuses nothing here: it checks the message and the endpoint when the attempt runs.
 */
import { randomUUID } from 'node:crypto';
import { DeliveryRequested } from '@switchyard/contracts';
import type { PublishInput } from '@switchyard/runtime';
import { MAX_QUEUE_DELAY_SECONDS, sendToQueue } from '@switchyard/runtime';
import { config } from '../config';
import { webhookIdFor } from '../domain/messages';
import type { Lane } from '../domain/lanes';
import type { AttemptTrigger } from '../domain/model';

export interface AttemptRequest {
  tenantId: string;
  subscriptionId: string;
  eventId: string;
  /** `scheduled` for the retry schedule; `resend`, `recover`, `test` for a person's request. */
  trigger: AttemptTrigger;
  /** Scheduled attempts: the position in the schedule (1 = the first). Ignored for manual ones. */
  attempt?: number;
  /** Wait before the attempt, 0–900 s (SQS DelaySeconds). Default 0. */
  delaySeconds?: number;
  /** Defaults to the correlation id in scope (the request's or the record's). */
  correlationId?: string;
  /** The lane's queue (src/domain/lanes.ts); default `default`. deliver moves a request that is in
   * the wrong one. */
  lane?: Lane;
}

/** Some requests could not be queued; the caller should fail (and be retried), not pretend. */
export class DispatchError extends Error {
  constructor(readonly failed: { id: string; errorCode: string; errorMessage: string }[]) {
    super(
      `could not queue ${failed.length} delivery request(s): ${failed
        .map((f) => `${f.errorCode} ${f.errorMessage}`)
        .join('; ')}`,
    );
    this.name = 'DispatchError';
  }
}

/**
 * The queue message id of a request. Scheduled attempts get a stable id per (message, attempt), so
 * a request sent twice (a retried fan-out, a re-run sweep) is recognisably the same request; manual
 * ones are each new.
 */
export function requestIdFor(
  request: Pick<AttemptRequest, 'tenantId' | 'eventId' | 'subscriptionId' | 'trigger' | 'attempt'>,
): string {
  if (request.trigger !== 'scheduled') return `${request.trigger}-${randomUUID()}`;
  return `${webhookIdFor(request.tenantId, request.eventId, request.subscriptionId)}.a${request.attempt ?? 1}`;
}

export function toDeliveryRequested(
  request: AttemptRequest,
  now: Date,
): PublishInput<typeof DeliveryRequested> {
  const delay = request.delaySeconds ?? 0;
  return {
    id: requestIdFor(request),
    tenantId: request.tenantId,
    ...(request.correlationId ? { correlationId: request.correlationId } : {}),
    subscriptionId: request.subscriptionId,
    eventId: request.eventId,
    attempt: request.trigger === 'scheduled' ? (request.attempt ?? 1) : 1,
    notBefore: new Date(now.getTime() + delay * 1000).toISOString(),
    trigger: request.trigger,
  };
}

/** Queues every request (grouped by delay); throws DispatchError when any could not be queued. */
export async function requestAttempts(
  requests: readonly AttemptRequest[],
  deps: { queueUrl?: string; slowQueueUrl?: string; now?: () => Date } = {},
): Promise<void> {
  const queueUrls: Record<Lane, () => string> = {
    default: () => deps.queueUrl ?? config().ATTEMPTS_QUEUE_URL,
    slow: () => deps.slowQueueUrl ?? config().SLOW_ATTEMPTS_QUEUE_URL,
  };
  const now = deps.now?.() ?? new Date();
  const groups = new Map<string, { lane: Lane; delaySeconds: number; requests: AttemptRequest[] }>();
  for (const request of requests) {
    const delaySeconds = Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil(request.delaySeconds ?? 0)));
    const lane = request.lane ?? 'default';
    const key = `${lane}|${delaySeconds}`;
    const group = groups.get(key) ?? { lane, delaySeconds, requests: [] };
    group.requests.push({ ...request, delaySeconds });
    groups.set(key, group);
  }
  const failed: DispatchError['failed'] = [];
  for (const { lane, delaySeconds, requests: group } of groups.values()) {
    const result = await sendToQueue(
      DeliveryRequested,
      group.map((request) => toDeliveryRequested(request, now)),
      queueUrls[lane](),
      { delaySeconds },
    );
    failed.push(...result.failed);
  }
  if (failed.length > 0) throw new DispatchError(failed);
}
