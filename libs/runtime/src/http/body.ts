import { badRequest, payloadTooLarge, unsupportedMediaType, HttpError } from '../errors';
import { getHeader } from './headers';

interface RawRequest {
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
}

/** Decoded size of a base64 string, computed without decoding it. */
function base64DecodedLength(value: string): number {
  const trimmed = value.replace(/\s+/g, '');
  const padding = trimmed.endsWith('==') ? 2 : trimmed.endsWith('=') ? 1 : 0;
  return Math.floor((trimmed.length * 3) / 4) - padding;
}

/** Byte size of the body as the client sent it (after base64 decoding). */
export function bodyByteLength(event: RawRequest): number {
  if (!event.body) return 0;
  return event.isBase64Encoded ? base64DecodedLength(event.body) : Buffer.byteLength(event.body, 'utf8');
}

/**
 * The `Content-Length` the client declared (0 without one); one that is not a non-negative integer
 * is a 400, since the size limit could not be trusted.
 */
function declaredContentLength(event: RawRequest): number {
  const declared = getHeader(event.headers, 'content-length');
  if (declared === undefined) return 0;
  if (!/^\s*\d{1,16}\s*$/.test(declared)) {
    throw badRequest('Content-Length is not a number', {
      details: [{ path: 'headers.content-length', message: 'Must be a non-negative integer' }],
    });
  }
  return Number(declared.trim());
}

/**
 * Rejects an oversized body before anything decodes or parses it: the larger of the body's size
 * and its declared `Content-Length` must not exceed `maxBodyBytes`.
 */
export function assertBodySize(event: RawRequest, maxBodyBytes: number | undefined): void {
  if (maxBodyBytes === undefined) return;
  if (Math.max(bodyByteLength(event), declaredContentLength(event)) > maxBodyBytes) {
    throw payloadTooLarge(maxBodyBytes);
  }
}

// application/json and structured-syntax types such as application/problem+json, any parameters.
const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function isJsonContentType(value: string | undefined): boolean {
  return value !== undefined && JSON_MEDIA_TYPE.test(value.trim());
}

/**
 * The JSON value of the body, or undefined when there is none. Checks size, then media type,
 * then syntax, so a huge body is refused without being parsed.
 */
export function readJsonBody(event: RawRequest, maxBodyBytes: number | undefined): unknown {
  assertBodySize(event, maxBodyBytes);
  if (event.body === undefined || event.body === '') return undefined;
  if (!isJsonContentType(getHeader(event.headers, 'content-type'))) throw unsupportedMediaType();
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // The parser's message quotes the input, so it stays out of the response.
    throw new HttpError(400, 'invalid_json', 'Request body is not valid JSON');
  }
}
