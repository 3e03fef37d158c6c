/**
 * What one HTTP attempt amounts to: a 2xx within the send timeout is delivered;
 * 410 Gone means the endpoint is gone (disable it); anything else (other statuses, timeouts,
 * connection errors, an address refused by the safety rules) is a failure to retry. 429 and 503
 * may carry Retry-After, which the next wait honours.
 */
import type { DeliveryAttempt } from './model';
import { parseRetryAfter } from './schedule';

/** What the sender observed. Exactly one of statusCode and error is set. */
export interface SendResult {
  /** The response's status, when one came within the timeout. */
  statusCode?: number;
  latencyMs: number;
  /** The first 1 KB of the response body, as text. */
  responseBody?: string;
  /** The response's Retry-After header, as sent. */
  retryAfter?: string;
  /** Why no usable response came: a short, secret-free reason (timeout, connection reset...). */
  error?: string;
  /** True when the safety rules refused the URL or the address before connecting. */
  refused?: boolean;
  /** True when the send timeout ran out before a response (or its first KB). */
  timedOut?: boolean;
}

export type AttemptOutcome = DeliveryAttempt['outcome'];

export interface Classification {
  outcome: AttemptOutcome;
  /** For 429 and 503: how long the receiver asked us to wait. */
  retryAfterSeconds?: number;
  /** For messages and MessageExhausted: a short reason. */
  reason: string;
}

export function isSuccessStatus(statusCode: number): boolean {
  return statusCode >= 200 && statusCode <= 299;
}

export function classifyResult(result: SendResult, now: Date): Classification {
  if (result.refused) return { outcome: 'refused', reason: result.error ?? 'address refused' };
  const status = result.statusCode;
  if (status === undefined) return { outcome: 'failed', reason: result.error ?? 'no response' };
  if (isSuccessStatus(status)) return { outcome: 'delivered', reason: `HTTP ${status}` };
  if (status === 410) return { outcome: 'gone', reason: 'HTTP 410 Gone' };
  if (status === 429 || status === 503) {
    const retryAfterSeconds = parseRetryAfter(result.retryAfter, now);
    return {
      outcome: 'failed',
      reason: `HTTP ${status}`,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    };
  }
  return { outcome: 'failed', reason: `HTTP ${status}` };
}
