/**
 * The delivery engine's decisions, one DeliveryRequested at a time. Pure: the use case
 * (../app/deliver.ts) reads the state, asks `preflight` what to do, sends when told to, and asks
 * `recordOutcome` what to write and what to schedule next.
 *
 * - Scheduled attempts follow the retry schedule: attempt n is valid only while the message is
 *   pending or failed and n-1 scheduled attempts were made, so a duplicate or late request is a
 *   no-op. A failure schedules attempt n+1 after the schedule's (jittered) wait, or the receiver's
 *   Retry-After if longer; waits up to MAX_QUEUE_DELAY_SECONDS ride on SQS, longer ones are kept in
 *   the `due` index for the sweeper. After the last entry the message is exhausted.
 * - Manual attempts (resend, recover, test) are single attempts outside the schedule: a success
 *   delivers the message, a failure leaves its status (and any schedule in progress) as it was.
 * - Outcomes feed endpoint health (./health.ts): 410, or failing for too long, disables the
 *   endpoint; the message is then held for recovery.
 */
import type { AttemptTrigger, DeliveryAttempt, MessageStatus, Subscription, WebhookMessage } from './model';
import type { HealthChange } from './health';
import { healthAfter } from './health';
import type { Classification, SendResult } from './outcome';
import { classifyResult } from './outcome';
import { waitBeforeAttempt } from './schedule';

export interface EngineSettings {
  /** Waits before scheduled attempts 1..n (seconds). */
  schedule: readonly number[];
  jitter: number;
  /** Waits up to this go through SQS DelaySeconds; longer ones through the due index. */
  maxQueueDelaySeconds: number;
  disableAfterSeconds: number;
}

/** What deliver knows of a request (the DeliveryRequested body and header id). */
export interface RequestView {
  /** Header id: stable for scheduled requests, unique for manual ones. */
  id: string;
  attempt: number;
  trigger: AttemptTrigger;
  notBefore: string;
}

/** A message as stored: the record plus the storage attributes the engine reasons about. */
export interface MessageState extends WebhookMessage {
  /** Set while a long wait is kept in the due index. */
  dueAt?: string;
  /** The request whose attempt was recorded last (manual requests are de-duplicated on it). */
  lastRequestId?: string;
}

export type Preflight =
  /** Nothing to do: stale, duplicate or unknown. */
  | { action: 'drop'; reason: string }
  /** The subscription was deleted: the message is cancelled. */
  | { action: 'cancel' }
  /** The endpoint is disabled: the message is held for recovery. */
  | { action: 'hold' }
  /** Too early (a request released before its time): back on the queue for the rest of the wait. */
  | { action: 'defer'; delaySeconds: number }
  /** The attempt was made and recorded already; make sure the next one is asked for. */
  | { action: 'reschedule'; next: NextAttempt }
  /** Send attempt `number` (the message's attempt count + 1). */
  | { action: 'send'; number: number };

export interface NextAttempt {
  /** Scheduled attempt number. */
  attempt: number;
  delaySeconds: number;
}

const ACTIVE: readonly MessageStatus[] = ['pending', 'failed'];

/** Scheduled attempts made so far (older items only count `attempts`). */
export function scheduledAttemptsOf(message: Pick<WebhookMessage, 'attempts' | 'scheduledAttempts'>): number {
  return message.scheduledAttempts ?? message.attempts;
}

/** Seconds from `now` until `at`, never negative, rounded up. */
function secondsUntil(at: string, now: Date): number {
  return Math.max(0, Math.ceil((Date.parse(at) - now.getTime()) / 1000));
}

export function preflight(input: {
  request: RequestView;
  message?: MessageState | undefined;
  subscription?: Pick<Subscription, 'enabled'> | undefined;
  now: Date;
  settings: Pick<EngineSettings, 'maxQueueDelaySeconds'>;
}): Preflight {
  const { request, message, subscription, now, settings } = input;
  if (!message) return { action: 'drop', reason: 'no such message' };
  if (message.status === 'cancelled') return { action: 'drop', reason: 'message cancelled' };
  if (!subscription) {
    return ACTIVE.includes(message.status)
      ? { action: 'cancel' }
      : { action: 'drop', reason: 'subscription deleted' };
  }

  if (request.trigger !== 'scheduled') {
    if (message.lastRequestId === request.id) return { action: 'drop', reason: 'request already handled' };
    if (!subscription.enabled) return { action: 'drop', reason: 'endpoint disabled' };
    return { action: 'send', number: message.attempts + 1 };
  }

  if (!ACTIVE.includes(message.status)) return { action: 'drop', reason: `message ${message.status}` };
  const made = scheduledAttemptsOf(message);
  if (request.attempt <= made) {
    // A request for an attempt already recorded: it ran before and its retry may not have been
    // queued (a crash between the two). Queue it again; a duplicate of it is dropped in turn.
    if (request.attempt === made && message.status === 'failed' && message.nextAttemptAt && !message.dueAt) {
      const delaySeconds = secondsUntil(message.nextAttemptAt, now);
      if (delaySeconds <= settings.maxQueueDelaySeconds) {
        return { action: 'reschedule', next: { attempt: made + 1, delaySeconds } };
      }
    }
    return { action: 'drop', reason: `attempt ${request.attempt} already made` };
  }
  if (request.attempt > made + 1) return { action: 'drop', reason: `attempt ${request.attempt} is not next` };
  if (!subscription.enabled) return { action: 'hold' };
  const early = secondsUntil(request.notBefore, now);
  if (early > 1) return { action: 'defer', delaySeconds: Math.min(early, settings.maxQueueDelaySeconds) };
  return { action: 'send', number: message.attempts + 1 };
}

/** What one attempt changes: the attempt item, the message, and what follows. */
export interface AttemptRecord {
  classification: Classification;
  attempt: DeliveryAttempt;
  message: {
    status: MessageStatus;
    attempts: number;
    scheduledAttempts: number;
    updatedAt: string;
    /** undefined: remove. */
    nextAttemptAt?: string;
    /** undefined: leave as it was; null: remove. */
    lastError?: { statusCode?: number; message: string } | null;
    deliveredAt?: string;
    /** Set: keep the wait in the due index; undefined: remove it from the index. */
    dueAt?: string;
  };
  /** A retry through SQS. */
  next?: NextAttempt;
  /** The message ran out of scheduled attempts: publish MessageExhausted. */
  exhausted?: { attempts: number; lastError: { statusCode?: number; message: string }; exhaustedAt: string };
  health: HealthChange;
}

const MAX_REASON = 1000;
const cut = (text: string) => (text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text);

export function recordOutcome(input: {
  request: RequestView;
  message: MessageState;
  subscription: Pick<Subscription, 'enabled' | 'failingSince'>;
  result: SendResult;
  /** When the attempt started (its `attemptedAt`). */
  startedAt: Date;
  now: Date;
  settings: EngineSettings;
  random: () => number;
}): AttemptRecord {
  const { request, message, subscription, result, startedAt, now, settings, random } = input;
  const classification = classifyResult(result, now);
  const { outcome } = classification;
  const scheduled = request.trigger === 'scheduled';
  const number = message.attempts + 1;
  const scheduledAttempts = scheduledAttemptsOf(message) + (scheduled ? 1 : 0);
  const at = now.toISOString();

  const attempt: DeliveryAttempt = {
    tenantId: message.tenantId,
    eventId: message.eventId,
    subscriptionId: message.subscriptionId,
    webhookId: message.webhookId,
    attempt: number,
    attemptedAt: startedAt.toISOString(),
    trigger: request.trigger,
    ...(result.statusCode === undefined ? {} : { statusCode: result.statusCode }),
    latencyMs: Math.max(0, Math.round(result.latencyMs)),
    ...(result.responseBody === undefined ? {} : { responseBody: result.responseBody }),
    ...(result.error === undefined ? {} : { error: cut(result.error) }),
    outcome,
  };
  const health = healthAfter(subscription, outcome, now, settings.disableAfterSeconds);
  const base = { attempts: number, scheduledAttempts, updatedAt: at };

  if (outcome === 'delivered') {
    return {
      classification,
      attempt,
      message: { ...base, status: 'delivered', deliveredAt: at, lastError: null },
      health,
    };
  }

  const lastError = {
    ...(result.statusCode === undefined ? {} : { statusCode: result.statusCode }),
    message: cut(classification.reason),
  };
  const disabled = health.kind === 'disable' || !subscription.enabled;
  if (disabled) {
    // Held for recovery; a message already delivered or exhausted keeps its status.
    const status: MessageStatus = ACTIVE.includes(message.status) ? 'held' : message.status;
    return { classification, attempt, message: { ...base, status, lastError }, health };
  }
  if (!scheduled) {
    // A manual attempt that failed: the message stays as it was, its schedule untouched. A test
    // message has no schedule: once its attempt fails it is `failed`, so `recover` finds it.
    const status: MessageStatus =
      request.trigger === 'test' && message.status === 'pending' ? 'failed' : message.status;
    return {
      classification,
      attempt,
      message: {
        ...base,
        status,
        lastError,
        ...(message.nextAttemptAt ? { nextAttemptAt: message.nextAttemptAt } : {}),
        ...(message.dueAt ? { dueAt: message.dueAt } : {}),
      },
      health,
    };
  }

  const wait = waitBeforeAttempt(settings.schedule, scheduledAttempts + 1, settings.jitter, random);
  if (wait === undefined) {
    return {
      classification,
      attempt,
      message: { ...base, status: 'exhausted', lastError },
      exhausted: { attempts: number, lastError, exhaustedAt: at },
      health,
    };
  }
  const delaySeconds = Math.max(wait, classification.retryAfterSeconds ?? 0);
  const nextAttemptAt = new Date(now.getTime() + delaySeconds * 1000).toISOString();
  const next = { attempt: scheduledAttempts + 1, delaySeconds };
  const durable = delaySeconds > settings.maxQueueDelaySeconds;
  return {
    classification,
    attempt,
    message: {
      ...base,
      status: 'failed',
      lastError,
      nextAttemptAt,
      ...(durable ? { dueAt: nextAttemptAt } : {}),
    },
    ...(durable ? {} : { next }),
    health,
  };
}
