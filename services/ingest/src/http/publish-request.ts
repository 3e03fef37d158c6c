/**
 * How events arrive over HTTP, mapped onto the domain's `PublishedEvent` (src/domain/events.ts):
 *
 *  - native JSON (`application/json`): `{ event_type, payload, source?, idempotency_key? }`, with the
 *    `Idempotency-Key` header as an alternative to `idempotency_key`;
 *  - CloudEvents 1.0, structured mode (`application/cloudevents+json`): the whole event in the body;
 *  - CloudEvents 1.0, binary mode (`ce-*` headers, the body is the data);
 *  - batches: `{ "events": [native, ...] }` or `application/cloudevents-batch+json`.
 *
 * The body's size is checked before this runs, by the handler factory (`maxBodyBytes`). Every
 * rejection is a value with its HTTP status and field-level details, so the handler shapes one error
 * body for all of them.
 */
import { z } from 'zod';
import type { BatchItem, FieldError, Outcome, PublishedEvent, Rejection } from '../domain/events';
import {
  batchItems,
  cloudEventFromParts,
  idempotencyKeySchema,
  invalid,
  issuesToDetails,
  MAX_BATCH_EVENTS,
  MAX_PAYLOAD_BYTES,
  mediaType,
  nativeEvent,
  parseJsonText,
  structuredEvent,
} from '../domain/events';

/**
 * Room for what surrounds the payload in a single-event request (event_type, source, idempotency key,
 * CloudEvents attributes; 255 characters each, up to 6 bytes per character once JSON-escaped). The
 * 413 is decided from the body size before parsing, so the body may exceed the payload limit by this
 * much; the payload itself is then measured exactly after parsing.
 */
export const ENVELOPE_ALLOWANCE_BYTES = 8 * 1024;
export const MAX_EVENT_REQUEST_BYTES = MAX_PAYLOAD_BYTES + ENVELOPE_ALLOWANCE_BYTES;
export const MAX_BATCH_REQUEST_BYTES = 1024 * 1024;

export const CLOUDEVENTS_MEDIA_TYPE = 'application/cloudevents+json';
export const CLOUDEVENTS_BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

/** The parts of an HTTP API (payload 2.0) request the parsers need. */
export interface HttpRequestInput {
  headers?: Readonly<Record<string, string | undefined>>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** A request (or batch item) refused before anything is stored, with the status it answers. */
export interface RequestRejection {
  status: 400 | 413 | 415;
  code: Rejection['code'] | 'unsupported_media_type';
  message: string;
  details: FieldError[];
}

export type RequestOutcome<T> = Outcome<T, RequestRejection>;

const STATUS_OF: Record<Rejection['code'], RequestRejection['status']> = {
  validation_failed: 400,
  bad_request: 400,
  payload_too_large: 413,
};

function withStatus<T>(outcome: Outcome<T>): RequestOutcome<T> {
  return outcome.ok
    ? outcome
    : { ok: false, rejection: { ...outcome.rejection, status: STATUS_OF[outcome.rejection.code] } };
}

function unsupported(message: string): { ok: false; rejection: RequestRejection } {
  return {
    ok: false,
    rejection: {
      status: 415,
      code: 'unsupported_media_type',
      message,
      details: [{ path: 'headers.content-type', message }],
    },
  };
}

/** Lower-cases header names (HTTP API 2.0 already does; other callers may not). Drops empty values. */
function normalizeHeaders(headers: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

function bodyBytes(input: HttpRequestInput): Buffer {
  const body = input.body ?? '';
  return input.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

function bodyJson(input: HttpRequestInput): Outcome<unknown> {
  return parseJsonText(bodyBytes(input).toString('utf8'), 'body');
}

function headerIdempotencyKey(headers: Readonly<Record<string, string>>): Outcome<string | undefined> {
  const value = headers['idempotency-key'];
  if (value === undefined) return { ok: true, value: undefined };
  const parsed = idempotencyKeySchema.safeParse(value.trim());
  if (!parsed.success) return invalid(issuesToDetails(parsed.error.issues, 'headers.idempotency-key'));
  return { ok: true, value: parsed.data };
}

function percentDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Binary mode: the context attributes from the `ce-*` headers (percent-decoded), the data from the body. */
function binaryEvent(
  headers: Readonly<Record<string, string>>,
  input: HttpRequestInput,
  headerKey: string | undefined,
): Outcome<PublishedEvent> {
  const context: Record<string, string> = {};
  const details: FieldError[] = [];
  for (const [name, raw] of Object.entries(headers)) {
    if (!name.startsWith('ce-')) continue;
    const decoded = percentDecode(raw.trim());
    if (decoded === undefined) details.push({ path: `headers.${name}`, message: 'Invalid percent-encoding' });
    else context[name.slice(3)] = decoded;
  }
  if (details.length > 0) return invalid(details);
  return cloudEventFromParts(
    { context, data: bodyBytes(input), contentType: headers['content-type'] },
    headerKey,
    { attribute: (name) => `headers.ce-${name}`, data: 'body' },
  );
}

/**
 * POST /events. Structured CloudEvents are recognised by their media type; binary ones by a
 * `ce-specversion` header; anything else JSON (or no Content-Type) is the native form.
 */
export function parsePublishRequest(input: HttpRequestInput): RequestOutcome<PublishedEvent> {
  const headers = normalizeHeaders(input.headers ?? {});
  const key = headerIdempotencyKey(headers);
  if (!key.ok) return withStatus(key);
  const type = mediaType(headers['content-type']);
  if (type === CLOUDEVENTS_MEDIA_TYPE) {
    const json = bodyJson(input);
    return withStatus(json.ok ? structuredEvent(json.value, key.value) : json);
  }
  if (type === CLOUDEVENTS_BATCH_MEDIA_TYPE)
    return unsupported('CloudEvents batches go to POST /events/batch');
  if (headers['ce-specversion'] !== undefined) return withStatus(binaryEvent(headers, input, key.value));
  if (type !== undefined && type !== 'application/json') {
    return unsupported(`Content-Type must be application/json or ${CLOUDEVENTS_MEDIA_TYPE}`);
  }
  const json = bodyJson(input);
  return withStatus(json.ok ? nativeEvent(json.value, key.value) : json);
}

const nativeBatchSchema = z.strictObject({
  events: z.array(z.unknown()).min(1).max(MAX_BATCH_EVENTS, `At most ${MAX_BATCH_EVENTS} events per batch`),
});
const cloudEventsBatchSchema = z
  .array(z.unknown())
  .min(1)
  .max(MAX_BATCH_EVENTS, `At most ${MAX_BATCH_EVENTS} events per batch`);

/**
 * POST /events/batch: `{ "events": [native, ...] }` (application/json) or a JSON array of structured
 * CloudEvents (application/cloudevents-batch+json). The envelope failing (bad JSON, no items, more
 * than 100) rejects the request; an item failing rejects only that item. Items carry their own
 * idempotency keys, so an `Idempotency-Key` header is refused rather than silently ignored.
 */
export function parseBatchRequest(input: HttpRequestInput): RequestOutcome<BatchItem<RequestRejection>[]> {
  const headers = normalizeHeaders(input.headers ?? {});
  if (headers['idempotency-key'] !== undefined) {
    return withStatus(
      invalid([
        {
          path: 'headers.idempotency-key',
          message: 'Not supported on batches; give each event its own idempotency_key',
        },
      ]),
    );
  }
  const type = mediaType(headers['content-type']);
  const cloudEvents = type === CLOUDEVENTS_BATCH_MEDIA_TYPE;
  if (!cloudEvents && type !== undefined && type !== 'application/json') {
    return unsupported(`Content-Type must be application/json or ${CLOUDEVENTS_BATCH_MEDIA_TYPE}`);
  }
  const json = bodyJson(input);
  if (!json.ok) return withStatus(json);
  let raw: unknown[];
  if (cloudEvents) {
    const parsed = cloudEventsBatchSchema.safeParse(json.value);
    if (!parsed.success) return withStatus(invalid(issuesToDetails(parsed.error.issues, 'body')));
    raw = parsed.data;
  } else {
    const parsed = nativeBatchSchema.safeParse(json.value);
    if (!parsed.success) return withStatus(invalid(issuesToDetails(parsed.error.issues)));
    raw = parsed.data.events;
  }
  const parse = cloudEvents ? structuredEvent : nativeEvent;
  return { ok: true, value: batchItems(raw.map((value) => withStatus(parse(value, undefined)))) };
}
