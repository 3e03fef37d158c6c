/**
 * Claim check for EventReceived: the payload travels inline when the whole EventBridge entry fits,
 * otherwise it is stored in S3 and the event carries `payloadRef` (bucket, key, size, sha256).
 *
 * The size is the entry's as EventBridge counts it (`eventBridgeEntrySize` of the contracts), for the
 * entry the runtime's `publish` sends: `Time`, `Source`, `DetailType` and `Detail =
 * JSON.stringify(message)`, no resources. A fixed headroom below the 256 KB limit absorbs envelope
 * fields added after this decision (a future additive header field, tracing).
 */
import { createHash } from 'node:crypto';
import { EVENTBRIDGE_MAX_ENTRY_BYTES, EventReceived, eventBridgeEntrySize } from '@switchyard/contracts';

export { EVENTBRIDGE_MAX_ENTRY_BYTES };
/** Kept free in every inline entry (see the module comment). */
export const ENTRY_HEADROOM_BYTES = 4 * 1024;
export const INLINE_ENTRY_LIMIT_BYTES = EVENTBRIDGE_MAX_ENTRY_BYTES - ENTRY_HEADROOM_BYTES;

/** The exact bytes stored in S3 for a payload, and their digest. */
export function payloadBytes(payload: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify(payload), 'utf8');
}

export function sha256Hex(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Tenant-scoped key: `tenants/<tenant>/payloads/<yyyy>/<mm>/<dd>/<eventId>.json`. The tenant segment
 * comes first so a tenant's payloads share one prefix (IAM conditions, export, deletion on offboarding);
 * the date lets lifecycle rules and humans find a day's objects. Segments are URI-encoded so no
 * identifier can add a `/` or `..` to the path.
 */
export function payloadObjectKey(tenantId: string, eventId: string, receivedAt: string): string {
  const date = new Date(receivedAt);
  if (Number.isNaN(date.getTime())) throw new RangeError('receivedAt is not a date');
  const day = date.toISOString().slice(0, 10).split('-').join('/');
  const segment = (s: string) => {
    if (s.length === 0 || s === '.' || s === '..') throw new RangeError('empty or relative key segment');
    return encodeURIComponent(s);
  };
  return `tenants/${segment(tenantId)}/payloads/${day}/${segment(eventId)}.json`;
}

/** EventReceived without its payload: header and the other body fields, ready to publish. */
export type EventReceivedEnvelope = Omit<EventReceived, 'payload' | 'payloadRef'>;

export type ClaimCheckPlan =
  | { mode: 'inline'; message: EventReceived; entrySize: number }
  | {
      mode: 'reference';
      message: EventReceived;
      entrySize: number;
      /** Write this object first (PutObject with the checksum), then publish `message`. */
      object: { bucket: string; key: string; body: Buffer; sha256: string; contentType: 'application/json' };
    };

/**
 * Inline when the entry with the payload fits under INLINE_ENTRY_LIMIT_BYTES, by reference otherwise.
 * Deterministic: a retried publish for the same event chooses the same way and the same S3 key, so
 * a repeat overwrites identical bytes.
 */
export function planEventReceived(
  envelope: EventReceivedEnvelope,
  payload: Record<string, unknown>,
  options: { bucket: string; limitBytes?: number },
): ClaimCheckPlan {
  const limit = options.limitBytes ?? INLINE_ENTRY_LIMIT_BYTES;
  const size = (message: EventReceived) =>
    eventBridgeEntrySize({
      Time: message.time,
      Source: EventReceived.source,
      DetailType: EventReceived.detailType,
      Detail: JSON.stringify(message),
    });
  const inline = { ...envelope, payload } as EventReceived;
  const inlineSize = size(inline);
  if (inlineSize <= limit) return { mode: 'inline', message: inline, entrySize: inlineSize };

  const body = payloadBytes(payload);
  const sha256 = sha256Hex(body);
  const key = payloadObjectKey(envelope.tenantId, envelope.eventId, envelope.receivedAt);
  const message = {
    ...envelope,
    payloadRef: { bucket: options.bucket, key, size: body.length, sha256 },
  } as EventReceived;
  const entrySize = size(message);
  if (entrySize > limit) {
    // Only the envelope is left and it is bounded (ids, 255-character strings): a bug if it happens.
    throw new Error(`EventReceived ${envelope.eventId} envelope alone is ${entrySize} bytes`);
  }
  return {
    mode: 'reference',
    message,
    entrySize,
    object: { bucket: options.bucket, key, body, sha256, contentType: 'application/json' },
  };
}

/** Consumer side: the fetched bytes are the payload only if size and digest match the reference. */
export function verifyClaimedPayload(
  ref: { size: number; sha256: string },
  bytes: Buffer,
):
  | { ok: true; payload: Record<string, unknown> }
  | { ok: false; reason: 'size' | 'digest' | 'not_an_object' } {
  if (bytes.length !== ref.size) return { ok: false, reason: 'size' };
  if (sha256Hex(bytes) !== ref.sha256) return { ok: false, reason: 'digest' };
  const value = JSON.parse(bytes.toString('utf8')) as unknown;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, reason: 'not_an_object' };
  return { ok: true, payload: value as Record<string, unknown> };
}
