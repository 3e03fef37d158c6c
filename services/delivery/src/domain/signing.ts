/**
 * What a delivery sends (Standard Webhooks): a POST whose body is
 * `{"type":…,"timestamp":…,"data":…}` with `data` the producer's payload exactly as stored (the
 * JSON text is spliced in, never re-serialised), and the headers `webhook-id`, `webhook-timestamp`
 * and `webhook-signature`. The signature is the official `standardwebhooks` package's
 * (`v1,` + base64 HMAC-SHA256 of `id.timestamp.body`), once per secret still signing (the current
 * one and, for 24 h after a rotation, the previous ones), space-separated, so a receiver holding
 * either secret verifies it.
 */
import { Webhook } from 'standardwebhooks';
import type { SigningSecret, StoredEvent } from './model';
import { activeSecrets } from './subscriptions';

export const USER_AGENT = 'Switchyard-Webhooks/1.0 (+https://www.standardwebhooks.com)';

/** The body: the event's type, its time (when ingest received it) and its payload verbatim. */
export function webhookBody(event: Pick<StoredEvent, 'eventType' | 'receivedAt' | 'data'>): string {
  return `{"type":${JSON.stringify(event.eventType)},"timestamp":${JSON.stringify(event.receivedAt)},"data":${event.data}}`;
}

/** `v1,<sig>` for every secret still signing at `timestamp`, newest first, space-separated. */
export function signatureHeader(
  secrets: readonly SigningSecret[],
  webhookId: string,
  timestamp: Date,
  body: string,
): string {
  const signing = activeSecrets(secrets, timestamp);
  if (signing.length === 0) throw new Error('the subscription has no signing secret');
  return signing.map((s) => new Webhook(s.secret).sign(webhookId, timestamp, body)).join(' ');
}

/** The request headers of one delivery (signed at `timestamp`, which is also `webhook-timestamp`). */
export function webhookHeaders(
  secrets: readonly SigningSecret[],
  webhookId: string,
  timestamp: Date,
  body: string,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'webhook-id': webhookId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatureHeader(secrets, webhookId, timestamp, body),
  };
}
