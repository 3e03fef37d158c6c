import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors';

/**
 * Opaque, tamper-evident page cursors: `base64url(JSON of the key) + '.' + base64url(HMAC-SHA256)`.
 * The MAC covers a scope (e.g. `${tenantId}:listEvents`), so a cursor minted for one tenant or query
 * cannot be replayed against another: DynamoDB would otherwise happily start a page at any key.
 * The key is readable (it is only signed, not encrypted); do not put secrets in it.
 * Binary key attributes do not survive JSON; Switchyard keys are strings and numbers.
 */

/**
 * The request's cursor is malformed, changed, or minted for another scope: an HttpError 400
 * `invalid_cursor`, so the handler factory answers it like any client error.
 */
export class InvalidCursorError extends HttpError {
  constructor(readonly reason: string) {
    // The client sees one generic message; the reason is for logs and tests.
    super(400, 'invalid_cursor', 'The pagination cursor is invalid.');
    this.name = 'InvalidCursorError';
  }
}

export interface CursorOptions {
  /** What the cursor is bound to, e.g. `${tenantId}:events`. Must match on decode. */
  scope: string;
}

// Long enough for any DynamoDB key (at most ~2 KB of key attributes) after base64 expansion.
const MAX_CURSOR_LENGTH = 4096;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const FORMAT = 'c1';

export function encodeCursor(
  key: Record<string, unknown>,
  secret: string | Buffer,
  options: CursorOptions,
): string {
  assertSecret(secret);
  const payload = Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
  return `${payload}.${sign(payload, secret, options.scope).toString('base64url')}`;
}

export function decodeCursor<T extends Record<string, unknown> = Record<string, unknown>>(
  cursor: string,
  secret: string | Buffer,
  options: CursorOptions,
): T {
  assertSecret(secret);
  if (typeof cursor !== 'string' || cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH) {
    throw new InvalidCursorError('empty or too long');
  }
  const parts = cursor.split('.');
  const [payload, mac] = parts;
  if (parts.length !== 2 || payload === undefined || mac === undefined) {
    throw new InvalidCursorError('not two segments');
  }
  const macBytes = strictBase64url(mac);
  const payloadBytes = strictBase64url(payload);
  const expected = sign(payload, secret, options.scope);
  if (macBytes.length !== expected.length || !timingSafeEqual(macBytes, expected)) {
    throw new InvalidCursorError('signature mismatch');
  }
  let key: unknown;
  try {
    key = JSON.parse(payloadBytes.toString('utf8'));
  } catch {
    throw new InvalidCursorError('payload is not JSON');
  }
  if (key === null || typeof key !== 'object' || Array.isArray(key)) {
    throw new InvalidCursorError('payload is not an object');
  }
  return key as T;
}

function sign(payload: string, secret: string | Buffer, scope: string): Buffer {
  // JSON framing keeps (scope, payload) pairs unambiguous: no scope can absorb a payload's prefix.
  return createHmac('sha256', secret)
    .update(JSON.stringify([FORMAT, scope, payload]))
    .digest();
}

/**
 * Node's decoder skips invalid characters and ignores a final character's spare bits, so two
 * different strings can decode to the same bytes. Accept only the canonical encoding, so that every
 * changed character is a changed cursor.
 */
function strictBase64url(segment: string): Buffer {
  if (!SEGMENT.test(segment)) throw new InvalidCursorError('not base64url');
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment) throw new InvalidCursorError('not canonical base64url');
  return bytes;
}

function assertSecret(secret: string | Buffer): void {
  // A missing secret is a deployment bug (500), not the client's fault.
  if (secret === undefined || secret === null || secret.length < 16) {
    throw new Error('pagination cursor secret is missing or shorter than 16 bytes');
  }
}
