/**
 * delivery's records, as both its API and its delivery engine see them. How they are stored (one
 * DynamoDB table, `delivery-<stage>`: keys, index keys, item kinds, what is stripped on reading) is
 * written once, in ../adapters/delivery-table.ts (summed up in ../../README.md, "Table layout").
 *
 * Writes to a subscription after its creation are UpdateItem of the attributes concerned, never a
 * whole-item Put, because the API (url, event types, secrets, enabled) and the engine (health:
 * failingSince, enabled/disabledReason) change different attributes of the same item.
 */

/** Why an endpoint stopped receiving: it answered 410, failed for too long, or an admin disabled it. */
export type DisabledReason = 'gone' | 'failing' | 'manual';

/** One signing secret (`whsec_` + base64 of 24 random bytes). The newest is first. */
export interface SigningSecret {
  secret: string;
  createdAt: string;
  /** Set on the previous secret when it is rotated out: deliveries are signed by it until then (24 h). */
  expiresAt?: string;
}

export interface Subscription {
  subscriptionId: string;
  tenantId: string;
  /** https in production stages; any scheme the stage allows locally. At most 2048 characters. */
  url: string;
  /** Exact event types (`order.created`) or prefixes ending in `.*` (`order.*`); `*` matches all. */
  eventTypes: string[];
  description?: string;
  enabled: boolean;
  disabledReason?: DisabledReason;
  disabledAt?: string;
  /** Messages per second this endpoint accepts; absent = the service default. */
  rateLimitPerSecond?: number;
  secrets: SigningSecret[];
  /** Start of the current run of failures; cleared by any success. */
  failingSince?: string;
  /**
   * Set by the engine while the endpoint answers slowly (or not at all): until then its attempts
   * run in the slow lane (their own queue and function), so they cannot hold up other endpoints.
   */
  slowUntil?: string;
  createdAt: string;
  updatedAt: string;
}

/** The event as delivery keeps it, so retries, resends and recovery never need ingest again. */
export interface StoredEvent {
  tenantId: string;
  eventId: string;
  eventType: string;
  source?: string;
  receivedAt: string;
  /** The producer's payload as JSON text, sent verbatim as the body's `data`. */
  data: string;
}

/**
 * pending: queued for its next attempt; delivered: a 2xx came back; failed: the last attempt failed
 * and a retry is scheduled (a test event, which has no schedule, just stays failed); exhausted: the
 * last scheduled attempt failed (recoverable); held: the endpoint is disabled, kept for recovery;
 * cancelled: the subscription was deleted.
 */
export type MessageStatus = 'pending' | 'delivered' | 'failed' | 'exhausted' | 'held' | 'cancelled';

/** One event for one subscription: the unit retried, and what `webhook-id` names. */
export interface WebhookMessage {
  tenantId: string;
  eventId: string;
  subscriptionId: string;
  /** `msg_…`, derived from (eventId, subscriptionId): the same for every attempt and resend. */
  webhookId: string;
  eventType: string;
  status: MessageStatus;
  /** Attempts made so far (0 before the first), manual ones included: numbers attempt items. */
  attempts: number;
  /**
   * How far the retry schedule has got: scheduled attempts made so far. Manual attempts (resend,
   * recover, test) do not count, so a failed resend never shortens or restarts the schedule.
   * Absent on messages written before it existed: read as `attempts`.
   */
  scheduledAttempts?: number;
  nextAttemptAt?: string;
  lastError?: { statusCode?: number; message: string };
  createdAt: string;
  updatedAt: string;
  deliveredAt?: string;
}

/** What started an attempt: the retry schedule, or a person's resend / recover / test. */
export type AttemptTrigger = 'scheduled' | 'resend' | 'recover' | 'test';

export interface DeliveryAttempt {
  tenantId: string;
  eventId: string;
  subscriptionId: string;
  webhookId: string;
  attempt: number;
  attemptedAt: string;
  trigger: AttemptTrigger;
  /** Absent when no response came (timeout, connection error, refused address). */
  statusCode?: number;
  latencyMs: number;
  /** The first 1 KB of the response body, as text. */
  responseBody?: string;
  error?: string;
  outcome: 'delivered' | 'failed' | 'gone' | 'refused';
}
