import { payloadTooLarge, unsupportedMediaType, HttpError } from '../errors';
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

/** Rejects an oversized body before anything decodes or parses it. */
export function assertBodySize(event: RawRequest, maxBodyBytes: number | undefined): void {
  if (maxBodyBytes !== undefined && bodyByteLength(event) > maxBodyBytes) throw payloadTooLarge(maxBodyBytes);
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
