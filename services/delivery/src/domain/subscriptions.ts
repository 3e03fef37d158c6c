/**
 * Subscriptions as the API manages them: pure rules, no AWS, clock and randomness
 * passed in.
 *
 * - Event type patterns: an exact type (`order.created`), a prefix ending in `.*` (`order.*`, which
 *   matches `order.created` and `order.item.added` but not `order` itself), or `*` (everything).
 *   A `*` anywhere else is refused, so a pattern never means two things.
 * - Endpoint URLs: the syntactic rules live here (absolute http(s) URL, no credentials, no fragment,
 *   at most 2048 characters); production stages also require https. Where the address points
 *   (loopback, private, link-local, metadata) is decided when connecting, by the engine, after
 *   resolving the name: a name can resolve elsewhere tomorrow, so checking it here would prove
 *   nothing.
 * - Signing secrets: `whsec_` + base64 of 24 random bytes (the Standard Webhooks format). Rotation
 *   puts the new secret first and lets the previous ones sign for 24 more hours.
 * - Views: what the API shows of a subscription, never its secrets (only the create and rotate
 *   answers carry a secret, once).
 * - Updates: which attributes a PATCH changes, so the adapter writes only those (the engine writes
 *   health attributes of the same item).
 */
import type {
  AttemptTrigger,
  DeliveryAttempt,
  DisabledReason,
  MessageStatus,
  SigningSecret,
  StoredEvent,
  Subscription,
  WebhookMessage,
} from './model';

/** Returns `size` cryptographically random bytes (the adapter passes `crypto.randomBytes`). */
export type RandomBytes = (size: number) => Uint8Array;

// ---------------------------------------------------------------------------------------------------
// Identifiers

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const SUBSCRIPTION_ID_PREFIX = 'sub_';
const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** ULID: 10 characters of millisecond time then 16 random ones, so ids sort by creation time. */
export function ulid(now: Date, random: RandomBytes): string {
  const ms = now.getTime();
  if (!Number.isInteger(ms) || ms < 0 || ms > 2 ** 48 - 1) throw new RangeError('time out of ULID range');
  let time = '';
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[rest % 32]! + time;
    rest = Math.floor(rest / 32);
  }
  const bytes = random(10);
  let out = '';
  let buffer = 0;
  let bits = 0;
  let index = 0;
  while (out.length < 16) {
    if (bits < 5) {
      const byte = bytes[index++];
      if (byte === undefined) throw new RangeError('need 10 random bytes for a ULID');
      buffer = ((buffer << 8) | byte) & 0xffff;
      bits += 8;
    }
    bits -= 5;
    out += CROCKFORD[(buffer >> bits) & 31];
  }
  return time + out;
}

/** `sub_01J…`. */
export function newSubscriptionId(now: Date, random: RandomBytes): string {
  return `${SUBSCRIPTION_ID_PREFIX}${ulid(now, random)}`;
}

export function isSubscriptionId(value: string): boolean {
  return (
    value.startsWith(SUBSCRIPTION_ID_PREFIX) && ULID_PATTERN.test(value.slice(SUBSCRIPTION_ID_PREFIX.length))
  );
}

// ---------------------------------------------------------------------------------------------------
// Event type patterns

export const MAX_EVENT_TYPE_LENGTH = 255;
export const MAX_EVENT_TYPES = 50;

// Control characters and whitespace never belong in a type name a person subscribes to.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARACTERS = /[\s\u0000-\u001f\u007f]/;

/** Why `pattern` is not a valid event type pattern, or undefined when it is. */
export function eventTypePatternProblem(pattern: string): string | undefined {
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > MAX_EVENT_TYPE_LENGTH) return `must be at most ${MAX_EVENT_TYPE_LENGTH} characters`;
  if (FORBIDDEN_CHARACTERS.test(pattern)) return 'must not contain whitespace or control characters';
  if (pattern === '*') return undefined;
  const star = pattern.indexOf('*');
  if (star === -1) return undefined;
  if (star !== pattern.length - 1 || !pattern.endsWith('.*') || pattern.length < 3) {
    return "'*' is allowed only alone or as a final '.*' (e.g. order.*)";
  }
  return undefined;
}

/** True when `eventType` is matched by `pattern` (exact, `prefix.*` or `*`). */
export function eventTypeMatches(pattern: string, eventType: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return eventType.startsWith(pattern.slice(0, -1));
  return pattern === eventType;
}

/** True when any of a subscription's patterns matches `eventType`. */
export function subscribesTo(eventTypes: readonly string[], eventType: string): boolean {
  return eventTypes.some((pattern) => eventTypeMatches(pattern, eventType));
}

/** The patterns without repeats, in the order given. */
export function normaliseEventTypes(eventTypes: readonly string[]): string[] {
  return [...new Set(eventTypes)];
}

// ---------------------------------------------------------------------------------------------------
// Endpoint URLs

export const MAX_URL_LENGTH = 2048;

/** Stages where anything goes for developers (decision 8): local, dev, test and pr-*. */
export function isDevLikeStage(stage: string): boolean {
  return stage === 'local' || stage === 'dev' || stage === 'test' || stage.startsWith('pr-');
}

/** Why `url` cannot be a webhook endpoint whatever the stage, or undefined when its form is fine. */
export function endpointUrlSyntaxProblem(url: string): string | undefined {
  if (url.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'must be an http(s) URL';
  if (parsed.hostname === '') return 'must name a host';
  if (parsed.username !== '' || parsed.password !== '') return 'must not contain credentials';
  if (parsed.hash !== '' || url.includes('#')) return 'must not contain a fragment';
  return undefined;
}

/**
 * Why `url` cannot be a webhook endpoint on `stage`, or undefined. Production stages need https;
 * dev-like stages also accept http (the local stage's test receivers are plain HTTP on loopback).
 */
export function endpointUrlProblem(url: string, stage: string): string | undefined {
  const syntax = endpointUrlSyntaxProblem(url);
  if (syntax) return syntax;
  if (!isDevLikeStage(stage) && new URL(url).protocol !== 'https:') return 'must use https';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Signing secrets

export const SECRET_PREFIX = 'whsec_';
export const SECRET_BYTES = 24;
/** How long the previous secret keeps signing after a rotation. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;
/** Most secrets kept at once (the newest and up to four previous ones still within their 24 h). */
export const MAX_SECRETS = 5;

/** `whsec_` + base64 of 24 random bytes. */
export function newSigningSecret(random: RandomBytes): string {
  return `${SECRET_PREFIX}${Buffer.from(random(SECRET_BYTES)).toString('base64')}`;
}

/** The secrets still signing at `now`: the current one and previous ones not yet expired. */
export function activeSecrets(secrets: readonly SigningSecret[], now: Date): SigningSecret[] {
  return secrets.filter((s) => s.expiresAt === undefined || Date.parse(s.expiresAt) > now.getTime());
}

/**
 * The secrets after a rotation at `now`: `secret` first (no expiry), every previous one still
 * active expiring at most 24 h from now (an earlier expiry is kept), expired ones dropped, and no
 * more than MAX_SECRETS in all (the oldest go first).
 */
export function rotateSecrets(secrets: readonly SigningSecret[], secret: string, now: Date): SigningSecret[] {
  const limit = new Date(now.getTime() + PREVIOUS_SECRET_TTL_MS).toISOString();
  const previous = activeSecrets(secrets, now).map((s) => ({
    secret: s.secret,
    createdAt: s.createdAt,
    expiresAt: s.expiresAt !== undefined && s.expiresAt < limit ? s.expiresAt : limit,
  }));
  return [{ secret, createdAt: now.toISOString() }, ...previous].slice(0, MAX_SECRETS);
}

// ---------------------------------------------------------------------------------------------------
// Creating

export interface NewSubscriptionInput {
  tenantId: string;
  url: string;
  eventTypes: string[];
  description?: string;
  enabled?: boolean;
  rateLimitPerSecond?: number;
}

export function newSubscription(input: NewSubscriptionInput, now: Date, random: RandomBytes): Subscription {
  const at = now.toISOString();
  const enabled = input.enabled ?? true;
  return {
    subscriptionId: newSubscriptionId(now, random),
    tenantId: input.tenantId,
    url: input.url,
    eventTypes: normaliseEventTypes(input.eventTypes),
    ...(input.description === undefined ? {} : { description: input.description }),
    enabled,
    ...(enabled ? {} : { disabledReason: 'manual' as const, disabledAt: at }),
    ...(input.rateLimitPerSecond === undefined ? {} : { rateLimitPerSecond: input.rateLimitPerSecond }),
    secrets: [{ secret: newSigningSecret(random), createdAt: at }],
    createdAt: at,
    updatedAt: at,
  };
}

// ---------------------------------------------------------------------------------------------------
// Updating (PATCH)

/** What a PATCH asks for; `null` clears an optional attribute. */
export interface SubscriptionPatch {
  url?: string;
  eventTypes?: string[];
  description?: string | null;
  enabled?: boolean;
  rateLimitPerSecond?: number | null;
}

/** The attributes one UpdateItem sets and removes (the adapter adds `updatedAt`'s condition-free SET). */
export interface SubscriptionChanges {
  set: Partial<
    Pick<
      Subscription,
      | 'url'
      | 'eventTypes'
      | 'description'
      | 'enabled'
      | 'disabledReason'
      | 'disabledAt'
      | 'rateLimitPerSecond'
    >
  > & { updatedAt: string };
  remove: ('description' | 'rateLimitPerSecond' | 'disabledReason' | 'disabledAt' | 'failingSince')[];
}

/**
 * The changes a PATCH makes to `current` at `now`:
 * - url, event types, description and rate limit are set as given (`null` removes the last two);
 * - `enabled: false` on an enabled endpoint disables it by hand (`disabledReason: 'manual'`);
 * - `enabled: true` on a disabled endpoint re-enables it and clears `disabledReason`, `disabledAt`
 *   and `failingSince`, so the failure window starts afresh; held messages stay held until
 *   recovered (POST /subscriptions/{id}/recover);
 * - asking for the state it is already in changes nothing about health.
 */
export function planSubscriptionUpdate(
  current: Pick<Subscription, 'enabled'>,
  patch: SubscriptionPatch,
  now: Date,
): SubscriptionChanges {
  const changes: SubscriptionChanges = { set: { updatedAt: now.toISOString() }, remove: [] };
  if (patch.url !== undefined) changes.set.url = patch.url;
  if (patch.eventTypes !== undefined) changes.set.eventTypes = normaliseEventTypes(patch.eventTypes);
  if (patch.description === null) changes.remove.push('description');
  else if (patch.description !== undefined) changes.set.description = patch.description;
  if (patch.rateLimitPerSecond === null) changes.remove.push('rateLimitPerSecond');
  else if (patch.rateLimitPerSecond !== undefined) changes.set.rateLimitPerSecond = patch.rateLimitPerSecond;
  if (patch.enabled === true && !current.enabled) {
    changes.set.enabled = true;
    changes.remove.push('disabledReason', 'disabledAt', 'failingSince');
  } else if (patch.enabled === false && current.enabled) {
    changes.set.enabled = false;
    changes.set.disabledReason = 'manual';
    changes.set.disabledAt = now.toISOString();
  }
  return changes;
}

/** `current` with `changes` applied: what the item holds after the UpdateItem. */
export function applySubscriptionChanges(current: Subscription, changes: SubscriptionChanges): Subscription {
  const next: Subscription = { ...current, ...changes.set };
  for (const name of changes.remove) delete next[name];
  return next;
}

// ---------------------------------------------------------------------------------------------------
// Views (the API's snake_case JSON)

export interface SubscriptionView {
  subscription_id: string;
  url: string;
  event_types: string[];
  description?: string;
  enabled: boolean;
  disabled_reason?: DisabledReason;
  disabled_at?: string;
  failing_since?: string;
  rate_limit_per_second?: number;
  created_at: string;
  updated_at: string;
}

/** What the API shows of a subscription: everything but its secrets. */
export function toSubscriptionView(subscription: Subscription): SubscriptionView {
  return {
    subscription_id: subscription.subscriptionId,
    url: subscription.url,
    event_types: subscription.eventTypes,
    ...(subscription.description === undefined ? {} : { description: subscription.description }),
    enabled: subscription.enabled,
    ...(subscription.disabledReason === undefined ? {} : { disabled_reason: subscription.disabledReason }),
    ...(subscription.disabledAt === undefined ? {} : { disabled_at: subscription.disabledAt }),
    ...(subscription.failingSince === undefined ? {} : { failing_since: subscription.failingSince }),
    ...(subscription.rateLimitPerSecond === undefined
      ? {}
      : { rate_limit_per_second: subscription.rateLimitPerSecond }),
    created_at: subscription.createdAt,
    updated_at: subscription.updatedAt,
  };
}

/** The create answer: the view and, this once, the signing secret. */
export function toCreatedSubscriptionView(subscription: Subscription): SubscriptionView & { secret: string } {
  const current = subscription.secrets[0];
  if (!current) throw new Error('a new subscription has a secret');
  return { ...toSubscriptionView(subscription), secret: current.secret };
}

export interface RotatedSecretView {
  subscription_id: string;
  secret: string;
  /** Until when deliveries also carry signatures by the previous secret(s). */
  previous_secrets_expire_at: string | null;
}

export function toRotatedSecretView(
  subscriptionId: string,
  secrets: readonly SigningSecret[],
): RotatedSecretView {
  const [current, ...previous] = secrets;
  if (!current) throw new Error('a rotated subscription has a secret');
  const latest = previous.reduce<string | null>(
    (max, s) => (s.expiresAt !== undefined && (max === null || s.expiresAt > max) ? s.expiresAt : max),
    null,
  );
  return { subscription_id: subscriptionId, secret: current.secret, previous_secrets_expire_at: latest };
}

/** A tenant sees only its own subscriptions: anything else is as absent as a missing one. */
export function visibleToTenant<T extends { tenantId: string }>(
  item: T | undefined,
  tenantId: string,
): T | undefined {
  return item && item.tenantId === tenantId ? item : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Manual delivery: resend, recover, test

/** Messages `POST /subscriptions/{id}/recover` sends again. */
export const RECOVERABLE_STATUSES: readonly MessageStatus[] = ['failed', 'exhausted', 'held'];
/** Most messages one recover request sends again; the answer says when more remain. */
export const MAX_RECOVER_PER_REQUEST = 500;

export function isRecoverable(status: MessageStatus): boolean {
  return RECOVERABLE_STATUSES.includes(status);
}

/** Why a manual attempt cannot go to this endpoint now, or undefined. */
export function manualDeliveryProblem(subscription: Pick<Subscription, 'enabled'>): string | undefined {
  return subscription.enabled
    ? undefined
    : 'The endpoint is disabled: re-enable it first (PATCH enabled: true), then resend or recover.';
}

/** The answer to a resend or test: the message one attempt was asked for. */
export interface RequestedAttemptView {
  subscription_id: string;
  event_id: string;
  webhook_id: string;
  status: 'requested';
}

export function toRequestedAttemptView(
  message: Pick<WebhookMessage, 'subscriptionId' | 'eventId' | 'webhookId'>,
): RequestedAttemptView {
  return {
    subscription_id: message.subscriptionId,
    event_id: message.eventId,
    webhook_id: message.webhookId,
    status: 'requested',
  };
}

/** Why `since` cannot start a recovery at `now`, or undefined. */
export function recoverSinceProblem(since: string, now: Date): string | undefined {
  return Date.parse(since) > now.getTime() ? 'must not be in the future' : undefined;
}

export const TEST_EVENT_TYPE = 'switchyard.test';

/** The event `POST /subscriptions/{id}/test` delivers: stored like any event copy. */
export function newTestEvent(
  subscription: Pick<Subscription, 'tenantId' | 'subscriptionId'>,
  now: Date,
  random: RandomBytes,
): StoredEvent {
  return {
    tenantId: subscription.tenantId,
    eventId: `evt_test_${ulid(now, random)}`,
    eventType: TEST_EVENT_TYPE,
    source: 'switchyard.delivery',
    receivedAt: now.toISOString(),
    data: JSON.stringify({
      subscription_id: subscription.subscriptionId,
      message: 'A test event from Switchyard: your endpoint receives webhooks.',
    }),
  };
}

// ---------------------------------------------------------------------------------------------------
// Attempts and deliveries (views)

export interface AttemptView {
  event_id: string;
  subscription_id: string;
  webhook_id: string;
  attempt: number;
  attempted_at: string;
  trigger: AttemptTrigger;
  outcome: DeliveryAttempt['outcome'];
  status_code?: number;
  latency_ms: number;
  response_body?: string;
  error?: string;
}

export function toAttemptView(attempt: DeliveryAttempt): AttemptView {
  return {
    event_id: attempt.eventId,
    subscription_id: attempt.subscriptionId,
    webhook_id: attempt.webhookId,
    attempt: attempt.attempt,
    attempted_at: attempt.attemptedAt,
    trigger: attempt.trigger,
    outcome: attempt.outcome,
    ...(attempt.statusCode === undefined ? {} : { status_code: attempt.statusCode }),
    latency_ms: attempt.latencyMs,
    ...(attempt.responseBody === undefined ? {} : { response_body: attempt.responseBody }),
    ...(attempt.error === undefined ? {} : { error: attempt.error }),
  };
}

export interface MessageView {
  subscription_id: string;
  webhook_id: string;
  status: MessageStatus;
  attempts_made: number;
  next_attempt_at?: string;
  delivered_at?: string;
  last_error?: { status_code?: number; message: string };
  created_at: string;
  updated_at: string;
  /** Oldest first. */
  attempts: AttemptView[];
}

export interface EventDeliveriesView {
  event_id: string;
  event_type: string;
  received_at: string;
  messages: MessageView[];
}

/**
 * One event's deliveries: the event copy, its messages (one per subscription) and every attempt of
 * each, oldest first. Undefined when delivery has no trace of the event for this tenant.
 */
export function toEventDeliveriesView(
  eventId: string,
  event: StoredEvent | undefined,
  messages: readonly WebhookMessage[],
  attempts: readonly DeliveryAttempt[],
): EventDeliveriesView | undefined {
  const first = messages[0];
  if (!event && !first) return undefined;
  return {
    event_id: eventId,
    event_type: event?.eventType ?? first!.eventType,
    received_at: event?.receivedAt ?? first!.createdAt,
    messages: messages.map((message) => ({
      subscription_id: message.subscriptionId,
      webhook_id: message.webhookId,
      status: message.status,
      attempts_made: message.attempts,
      ...(message.nextAttemptAt === undefined ? {} : { next_attempt_at: message.nextAttemptAt }),
      ...(message.deliveredAt === undefined ? {} : { delivered_at: message.deliveredAt }),
      ...(message.lastError === undefined
        ? {}
        : {
            last_error: {
              ...(message.lastError.statusCode === undefined
                ? {}
                : { status_code: message.lastError.statusCode }),
              message: message.lastError.message,
            },
          }),
      created_at: message.createdAt,
      updated_at: message.updatedAt,
      attempts: attempts
        .filter((a) => a.subscriptionId === message.subscriptionId)
        .sort((a, b) => a.attempt - b.attempt)
        .map(toAttemptView),
    })),
  };
}
