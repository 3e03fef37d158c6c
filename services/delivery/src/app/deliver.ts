/**
 * DeliveryRequested → one attempt to one endpoint. The steps are here; the decisions are the
 * domain's (../domain/engine.ts):
 *
 * 1. read the event copy, the message and the subscription (one consistent BatchGetItem), unless
 *    fan-out hands over a message it has just made (`FreshMessage`): created claimed for this
 *    request, or not written yet (then written with the attempt's record, in step 6);
 * 2. `preflight`: drop a stale or duplicate request, cancel (subscription deleted), hold (endpoint
 *    disabled), put back an early one, re-queue a lost retry, or go on;
 * 3. count the attempt in the endpoint's rate window; over the limit it waits (not an attempt);
 * 4. claim the message (conditional update with a lease), so two copies of a request never both send;
 * 5. sign and send (../adapters/sender.ts: checked, pinned address; SEND_TIMEOUT_MS);
 * 6. `recordOutcome`, written in one transaction (attempt + message + MessageExhausted via the
 *    outbox), then endpoint health (EndpointDisabled via the outbox), then the next attempt: SQS
 *    DelaySeconds for waits up to 15 minutes, the `due` index (sweepDueRetries) for longer ones.
 *
 * Logs carry ids, outcome, status and latency; never URLs, headers, secrets or bodies.
 */
import type { DeliveryRequested } from '@switchyard/contracts';
import { logger } from '@switchyard/runtime';
import type { AttemptRequest } from '../adapters/dispatch';
import { requestAttempts } from '../adapters/dispatch';
import type { AttemptContext, DeliveryStore } from '../adapters/delivery-store';
import { deliveryStore } from '../adapters/delivery-store';
import type { SendOptions } from '../adapters/sender';
import { sendWebhook } from '../adapters/sender';
import type { EngineRuntime } from '../config';
import { engineRuntime } from '../config';
import type { MessageState, RequestView } from '../domain/engine';
import { preflight, recordOutcome, scheduledAttemptsOf } from '../domain/engine';
import type { Lane } from '../domain/lanes';
import { laneOf, slowMark } from '../domain/lanes';
import type { StoredEvent, Subscription } from '../domain/model';
import type { SendResult } from '../domain/outcome';
import { rateBlockOf, rateDecision, rateLimitOf, rateWindow } from '../domain/rate-limit';
import { webhookBody, webhookHeaders } from '../domain/signing';

export interface DeliverDeps {
  store: Pick<
    DeliveryStore,
    | 'loadForAttempt'
    | 'claim'
    | 'recordAttempt'
    | 'setInactive'
    | 'applyHealth'
    | 'countInRateWindow'
    | 'markSlow'
    | 'release'
    | 'createMessage'
    | 'recordFirstAttempt'
  >;
  send: (
    url: string,
    headers: Record<string, string>,
    body: string,
    options: SendOptions,
  ) => Promise<SendResult>;
  requestAttempts: (requests: AttemptRequest[]) => Promise<void>;
  runtime: EngineRuntime;
  now: () => Date;
  random: () => number;
}

/** The real store, sender, queues, settings and clock. */
export function deliverDeps(): DeliverDeps {
  return {
    store: deliveryStore(),
    send: sendWebhook,
    requestAttempts: (requests) => requestAttempts(requests),
    runtime: engineRuntime(),
    now: () => new Date(),
    random: Math.random,
  };
}

/** Thrown when another copy of the request holds the message: SQS brings this one back later. */
export class AttemptInProgressError extends Error {
  constructor(webhookId: string) {
    super(`an attempt of ${webhookId} is in progress elsewhere; retried after the visibility timeout`);
    this.name = 'AttemptInProgressError';
  }
}

/** The fields of DeliveryRequested an attempt uses: fan-out makes one without a queue in between. */
export type AttemptOrder = Pick<
  DeliveryRequested,
  'id' | 'tenantId' | 'eventId' | 'subscriptionId' | 'attempt' | 'notBefore' | 'trigger'
> & { correlationId?: string };

/**
 * A first attempt fan-out makes itself: the event copy, the message and the subscription as it just
 * wrote and read them, so neither the read nor the claim is needed.
 *
 * - `written: true`: the message was created claimed for the order's id. Any way out before the
 *   send gives the claim back, so the queued request that replaces it can take it at once.
 * - `written: false`: the event copy was new, so no message of it can exist yet, and nothing else
 *   can send it: the message is written once, with the attempt's record (one transaction instead
 *   of a put before the send and a transaction after it). Any way out before the send writes it as
 *   it is (pending, unclaimed) first.
 */
export interface FreshMessage {
  event: StoredEvent;
  message: MessageState;
  subscription: Subscription;
  written: boolean;
}

export async function deliver(request: AttemptOrder, deps: DeliverDeps, fresh?: FreshMessage): Promise<void> {
  const { tenantId, eventId, subscriptionId } = request;
  const view: RequestView = {
    id: request.id,
    attempt: request.attempt,
    trigger: request.trigger ?? 'scheduled',
    notBefore: request.notBefore,
  };
  const ids = {
    tenantId,
    eventId,
    subscriptionId,
    trigger: view.trigger,
    correlationId: request.correlationId,
  };
  const { settings } = deps.runtime;
  const again = (
    delaySeconds: number,
    attempt = view.attempt,
    lane: Lane = deps.runtime.lane,
  ): AttemptRequest => ({
    tenantId,
    eventId,
    subscriptionId,
    trigger: view.trigger,
    attempt,
    delaySeconds,
    correlationId: request.correlationId,
    lane,
  });

  const context: AttemptContext =
    fresh ?? (await deps.store.loadForAttempt(tenantId, eventId, subscriptionId));
  const plan = preflight({ request: view, ...context, now: deps.now(), settings });
  const expiresAtEpoch = () => Math.floor(deps.now().getTime() / 1000) + deps.runtime.retentionSeconds;
  // A fresh message left before its send: the claim given back, or the message written unclaimed.
  const handBackFresh = async () => {
    if (!fresh) return;
    if (fresh.written) await deps.store.release(fresh.message, request.id);
    else await deps.store.createMessage(fresh.message, expiresAtEpoch());
  };
  if (plan.action !== 'send') await handBackFresh();
  switch (plan.action) {
    case 'drop':
      logger.info('attempt_skipped', { ...ids, attempt: view.attempt, reason: plan.reason });
      return;
    case 'cancel':
    case 'hold': {
      const status = plan.action === 'cancel' ? 'cancelled' : 'held';
      await deps.store.setInactive(context.message!, status, deps.now());
      logger.info('message_inactive', { ...ids, status });
      return;
    }
    case 'defer':
      await deps.requestAttempts([again(plan.delaySeconds)]);
      return;
    case 'reschedule':
      await deps.requestAttempts([again(plan.next.delaySeconds, plan.next.attempt)]);
      logger.info('retry_requeued', {
        ...ids,
        attempt: plan.next.attempt,
        delaySeconds: plan.next.delaySeconds,
      });
      return;
    case 'send':
      break;
  }
  const { event, subscription } = context;
  if (!event || !subscription) {
    // A message without its event copy cannot be sent, now or later: keep the request in the DLQ.
    throw new Error(`message ${context.message?.webhookId} has no event copy`);
  }
  if (laneOf(subscription, deps.now()) === 'slow' && deps.runtime.lane !== 'slow') {
    await handBackFresh();
    await deps.requestAttempts([again(0, view.attempt, 'slow')]);
    logger.info('attempt_moved_to_slow_lane', ids);
    return;
  }

  const limit = rateLimitOf(subscription, deps.runtime.defaultRateLimit);
  const decision = rateDecision(
    await deps.store.countInRateWindow(subscriptionId, rateWindow(deps.now()), rateBlockOf(limit)),
    limit,
  );
  if (!decision.allowed) {
    await handBackFresh();
    await deps.requestAttempts([again(decision.delaySeconds)]);
    logger.debug('attempt_rate_limited', { ...ids, limit, delaySeconds: decision.delaySeconds });
    return;
  }

  const claimedAt = deps.now();
  const message = fresh
    ? fresh.message
    : await deps.store.claim(
        context.message!,
        request.id,
        { scheduledAttemptsMade: view.trigger === 'scheduled' ? view.attempt - 1 : undefined },
        claimedAt,
        new Date(claimedAt.getTime() + deps.runtime.claimLeaseMs),
      );
  if (!message) {
    // Stale by now, or held by another copy of the request: the fresh state tells which.
    const latest = await deps.store.loadForAttempt(tenantId, eventId, subscriptionId);
    const replan = preflight({ request: view, ...latest, now: deps.now(), settings });
    if (replan.action === 'send') {
      // Held by another request: come back when its lease ends (an attempt that crashed mid-send
      // is taken over then), rather than after the queue's much longer visibility timeout.
      const leaseLeftMs = (latest.claimedUntil ?? 0) - deps.now().getTime();
      if (leaseLeftMs <= 0) throw new AttemptInProgressError(context.message!.webhookId);
      const delaySeconds = Math.min(settings.maxQueueDelaySeconds, Math.ceil(leaseLeftMs / 1000) + 1);
      await deps.requestAttempts([again(delaySeconds)]);
      logger.info('attempt_waits_for_claim', { ...ids, attempt: view.attempt, delaySeconds });
      return;
    }
    logger.info('attempt_skipped', { ...ids, attempt: view.attempt, reason: 'claimed by another request' });
    return;
  }

  const startedAt = deps.now();
  const body = webhookBody(event);
  // An endpoint still silent after SLOW_LATENCY_MS moves to the slow lane at once, not when it
  // finally answers or times out.
  let marking: Promise<void> | undefined;
  const markIfSlow = (latencyMs: number, timedOut: boolean) => {
    marking ??= markSlow(subscription, latencyMs, timedOut, deps, ids);
  };
  const timer = setTimeout(
    () => markIfSlow(deps.runtime.slow.slowLatencyMs, false),
    deps.runtime.slow.slowLatencyMs,
  );
  const result = await deps
    .send(subscription.url, webhookHeaders(subscription.secrets, message.webhookId, startedAt, body), body, {
      timeoutMs: deps.runtime.sendTimeoutMs,
      policy: deps.runtime.policy,
    })
    .finally(() => clearTimeout(timer));
  markIfSlow(result.latencyMs, result.timedOut === true);
  await marking;
  const now = deps.now();
  const record = recordOutcome({
    request: view,
    message,
    subscription,
    result,
    startedAt,
    now,
    settings,
    random: deps.random,
  });
  const written =
    fresh && !fresh.written
      ? await deps.store.recordFirstAttempt(fresh.message, record, request.id, expiresAtEpoch())
      : await deps.store.recordAttempt(message, record, request.id, expiresAtEpoch());
  const summary = {
    ...ids,
    webhookId: message.webhookId,
    attempt: record.attempt.attempt,
    scheduledAttempt: view.trigger === 'scheduled' ? scheduledAttemptsOf(message) + 1 : undefined,
    outcome: record.attempt.outcome,
    statusCode: record.attempt.statusCode,
    error: record.attempt.error,
    latencyMs: record.attempt.latencyMs,
    status: record.message.status,
  };
  if (written === 'lost') {
    logger.warn('attempt_not_recorded', {
      ...summary,
      reason:
        fresh && !fresh.written
          ? 'a redelivered event created the message meanwhile'
          : 'the claim expired and was taken over',
    });
    return;
  }
  const healthChanged = await deps.store.applyHealth(subscription, record.health);
  if (record.next) {
    await deps.requestAttempts([
      again(record.next.delaySeconds, record.next.attempt, laneOf(subscription, now)),
    ]);
  }
  logger.info('attempt_recorded', {
    ...summary,
    ...(record.message.nextAttemptAt ? { nextAttemptAt: record.message.nextAttemptAt } : {}),
    ...(record.message.dueAt ? { durableWait: true } : {}),
    ...(healthChanged ? { health: record.health.kind } : {}),
  });
}

/** Writes the slow mark when the attempt was slow (best effort: a failure only logs). */
async function markSlow(
  subscription: Subscription,
  latencyMs: number,
  timedOut: boolean,
  deps: Pick<DeliverDeps, 'store' | 'runtime' | 'now'>,
  ids: Record<string, unknown>,
): Promise<void> {
  const now = deps.now();
  const until = slowMark(subscription, latencyMs, timedOut, now, deps.runtime.slow);
  if (!until) return;
  // Decided here for the rest of this attempt (its retry goes to the slow lane), written once.
  subscription.slowUntil = until;
  const keep = new Date(now.getTime() + deps.runtime.slow.slowLaneSeconds * 500).toISOString();
  try {
    if (await deps.store.markSlow(subscription, until, keep))
      logger.info('endpoint_marked_slow', { ...ids, until });
  } catch (error) {
    logger.warn('endpoint_not_marked_slow', {
      ...ids,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
}
