/**
 * What a producer may publish, in any of the three accepted forms, mapped onto one model:
 *
 *  - native JSON (`application/json`): `{ event_type, payload, source?, idempotency_key? }`, with the
 *    `Idempotency-Key` header as an alternative to `idempotency_key`;
 *  - CloudEvents 1.0, structured mode (`application/cloudevents+json`): the whole event in the body;
 *  - CloudEvents 1.0, binary mode (`ce-*` headers, the body is the data).
 *
 * Pure: no I/O, no clock. Every rejection is a value (`RequestRejection`) with field-level details
 * (`path` + `message`), never an exception, so the handler shapes one error body for all of them.
 * Messages never echo the submitted values (they may be secrets or personal data).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Largest payload (UTF-8 of its JSON) one event may carry. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/**
 * Room for what surrounds the payload in a single-event request (event_type, source, idempotency key,
 * CloudEvents attributes; 255 characters each, up to 6 bytes per character once JSON-escaped). The
 * 413 is decided from the body size before parsing, so the body may exceed the payload limit by this
 * much; the payload itself is then measured exactly after parsing.
 */
export const ENVELOPE_ALLOWANCE_BYTES = 8 * 1024;
export const MAX_EVENT_REQUEST_BYTES = MAX_PAYLOAD_BYTES + ENVELOPE_ALLOWANCE_BYTES;
export const MAX_BATCH_EVENTS = 100;
export const MAX_BATCH_REQUEST_BYTES = 1024 * 1024;
/** `source` of a native event that names none. */
export const DEFAULT_SOURCE = 'api';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export const CLOUDEVENTS_MEDIA_TYPE = 'application/cloudevents+json';
export const CLOUDEVENTS_BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

/** One field-level problem, e.g. `{ path: 'payload', message: 'Invalid input: expected record' }`. */
export interface FieldError {
  path: string;
  message: string;
}

/** A request (or batch item) refused before anything is stored. */
export interface RequestRejection {
  status: 400 | 413 | 415;
  code: 'validation_failed' | 'bad_request' | 'payload_too_large' | 'unsupported_media_type';
  message: string;
  details: FieldError[];
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; rejection: RequestRejection };

/** The parts of an HTTP API (payload 2.0) request the parsers need. */
export interface HttpRequestInput {
  headers: Readonly<Record<string, string | undefined>>;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export type EventFormat = 'native' | 'cloudevents-structured' | 'cloudevents-binary';

/** CloudEvents context attributes kept beside the payload (id, specversion, subject, time, extensions...). */
export type EventAttributes = Record<string, string | number | boolean>;

/** One event as the producer described it, whatever the wire format. */
export interface PublishedEvent {
  format: EventFormat;
  eventType: string;
  payload: Record<string, unknown>;
  source: string;
  idempotencyKey?: string;
  attributes: EventAttributes;
}

/** An accepted event as ingest stores it. */
export interface IngestedEvent extends PublishedEvent {
  tenantId: string;
  eventId: string;
  /** ISO-8601, set by ingest (never the producer's `time`, which stays in attributes). */
  receivedAt: string;
  apiKeyId?: string;
}

// ---------------------------------------------------------------------------------------------------
// Helpers

/** Lower-cases header names (HTTP API 2.0 already does; other callers may not). Drops empty values. */
export function normalizeHeaders(
  headers: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = value;
  }
  return out;
}

/** `application/JSON; charset=utf-8` → `application/json`; absent → undefined. */
export function mediaTypeOf(headers: Readonly<Record<string, string>>): string | undefined {
  const value = headers['content-type'];
  if (value === undefined) return undefined;
  const type = value.split(';')[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

function isJsonMediaType(type: string | undefined): boolean {
  return type === undefined || type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Size in bytes of the body as sent, without decoding it (base64 bodies: 3 bytes per 4 characters). */
export function requestBodyLength(input: HttpRequestInput): number {
  const body = input.body ?? '';
  if (!input.isBase64Encoded) return utf8Length(body);
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((body.length * 3) / 4) - padding);
}

function bodyBytes(input: HttpRequestInput): Buffer {
  const body = input.body ?? '';
  return input.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
}

function reject(
  status: RequestRejection['status'],
  code: RequestRejection['code'],
  message: string,
  details: FieldError[],
): { ok: false; rejection: RequestRejection } {
  return { ok: false, rejection: { status, code, message, details } };
}

const invalid = (details: FieldError[]) =>
  reject(400, 'validation_failed', 'Request validation failed', details);

/** zod issues → details; unknown keys get one detail each, at the key's own path. */
export function issuesToDetails(issues: readonly z.core.$ZodIssue[], prefix?: string): FieldError[] {
  const join = (path: readonly PropertyKey[]) =>
    [
      ...(prefix ? [prefix] : []),
      ...path.map((p) => (typeof p === 'symbol' ? (p.description ?? '') : String(p))),
    ].join('.');
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: join([...issue.path, key]), message: 'Unknown field' }))
      : [{ path: join(issue.path), message: issue.message }],
  );
}

function parseJsonText(text: string, path: string): Outcome<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    // The SyntaxError's message quotes the input; say only that it is not JSON.
    return reject(400, 'bad_request', 'The body is not valid JSON', [{ path, message: 'Not valid JSON' }]);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function payloadTooLarge(path: string, size: number): { ok: false; rejection: RequestRejection } {
  return reject(413, 'payload_too_large', `The payload exceeds ${MAX_PAYLOAD_BYTES} bytes`, [
    { path, message: `payload is ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES}` },
  ]);
}

/** UTF-8 size of the payload as ingest will store and send it (compact JSON). */
export function payloadSize(payload: Record<string, unknown>): number {
  return utf8Length(JSON.stringify(payload));
}

// ---------------------------------------------------------------------------------------------------
// 413 before parsing

export type SizeCheck = { ok: true } | { ok: false; rejection: RequestRejection };

/**
 * Decides 413 from sizes alone, before the body is decoded or parsed: the larger of the declared
 * `Content-Length` and the actual body length must not exceed `limit` (single event:
 * MAX_EVENT_REQUEST_BYTES; batch: MAX_BATCH_REQUEST_BYTES). A malformed Content-Length is a 400.
 */
export function checkContentLength(
  headers: Readonly<Record<string, string | undefined>>,
  bodyLength: number,
  limit: number = MAX_EVENT_REQUEST_BYTES,
): SizeCheck {
  const declaredText = normalizeHeaders(headers)['content-length'];
  let declared = 0;
  if (declaredText !== undefined) {
    if (!/^\s*\d{1,16}\s*$/.test(declaredText)) {
      return reject(400, 'bad_request', 'Content-Length is not a number', [
        { path: 'headers.content-length', message: 'Must be a non-negative integer' },
      ]);
    }
    declared = Number(declaredText.trim());
  }
  const size = Math.max(declared, bodyLength);
  if (size > limit) {
    return reject(413, 'payload_too_large', `Request body exceeds ${limit} bytes`, [
      { path: 'body', message: `body is ${size} bytes; the limit is ${limit}` },
    ]);
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------
// Native JSON

const idempotencyKeySchema = z.string().min(1).max(MAX_IDEMPOTENCY_KEY_LENGTH);

/** The native publish request body (also the item of a native batch). */
export const publishEventSchema = z.strictObject({
  event_type: z.string().min(1).max(255).describe("The producer's own type name, e.g. order.placed."),
  payload: z.record(z.string(), z.unknown()).describe('The event body: a JSON object.'),
  source: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .describe(`Origin of the event; defaults to "${DEFAULT_SOURCE}".`),
  idempotency_key: idempotencyKeySchema
    .optional()
    .describe('Repeats with the same key within 24 hours return the original event.'),
});
export type PublishEventBody = z.infer<typeof publishEventSchema>;

/** Validates a native body (already JSON-parsed); `path` prefixes detail paths (batch items). */
function nativeEvent(
  value: unknown,
  headerKey: string | undefined,
  prefix?: string,
): Outcome<PublishedEvent> {
  const parsed = publishEventSchema.safeParse(value);
  if (!parsed.success) return invalid(issuesToDetails(parsed.error.issues, prefix));
  const body = parsed.data;
  if (headerKey !== undefined && body.idempotency_key !== undefined && headerKey !== body.idempotency_key) {
    return invalid([
      {
        path: 'headers.idempotency-key',
        message: 'Differs from idempotency_key in the body; send one, or the same',
      },
      {
        path: prefix ? `${prefix}.idempotency_key` : 'idempotency_key',
        message: 'Differs from the Idempotency-Key header',
      },
    ]);
  }
  const size = payloadSize(body.payload);
  if (size > MAX_PAYLOAD_BYTES) return payloadTooLarge(prefix ? `${prefix}.payload` : 'payload', size);
  const idempotencyKey = body.idempotency_key ?? headerKey;
  return {
    ok: true,
    value: {
      format: 'native',
      eventType: body.event_type,
      payload: body.payload,
      source: body.source ?? DEFAULT_SOURCE,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      attributes: {},
    },
  };
}

function headerIdempotencyKey(headers: Readonly<Record<string, string>>): Outcome<string | undefined> {
  const value = headers['idempotency-key'];
  if (value === undefined) return { ok: true, value: undefined };
  const parsed = idempotencyKeySchema.safeParse(value.trim());
  if (!parsed.success) return invalid(issuesToDetails(parsed.error.issues, 'headers.idempotency-key'));
  return { ok: true, value: parsed.data };
}

// ---------------------------------------------------------------------------------------------------
// CloudEvents 1.0

/** CloudEvents attribute names: lowercase ASCII letters and digits, at most 20 characters (spec §2). */
const ATTRIBUTE_NAME = /^[a-z0-9]{1,20}$/;
const KNOWN_ATTRIBUTES = new Set([
  'specversion',
  'id',
  'source',
  'type',
  'datacontenttype',
  'dataschema',
  'subject',
  'time',
]);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

const cloudEventContext = {
  specversion: z.literal('1.0', { error: 'Only CloudEvents 1.0 is supported' }),
  id: z.string().min(1).max(255),
  source: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  datacontenttype: z.string().min(1).max(255).optional(),
  dataschema: z.string().min(1).max(2048).optional(),
  subject: z.string().min(1).max(1024).optional(),
  time: z.iso.datetime({ offset: true }).optional(),
};

const extensionValue = z.union([z.string().max(2048), z.number().int(), z.boolean()]);

/**
 * Extension names checked apart from the schema: zod skips refinements once a field has failed, and
 * a producer should see every problem at once.
 */
function extensionNameDetails(
  value: unknown,
  allowed: Set<string>,
  pathOf: (key: string) => string,
): FieldError[] {
  if (!isPlainObject(value)) return [];
  return Object.keys(value)
    .filter((key) => !allowed.has(key) && !ATTRIBUTE_NAME.test(key))
    .map((key) => ({
      path: pathOf(key),
      message: 'Extension attribute names are lowercase letters and digits, at most 20',
    }));
}

const STRUCTURED_FIELDS = new Set([...KNOWN_ATTRIBUTES, 'data', 'data_base64']);

/** A CloudEvent in the JSON event format (structured mode, and the items of a CloudEvents batch). */
export const structuredCloudEventSchema = z
  .object({ ...cloudEventContext, data: z.unknown().optional(), data_base64: z.string().optional() })
  .catchall(extensionValue)
  .superRefine((value, ctx) => {
    if (value.data !== undefined && value.data_base64 !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['data_base64'],
        message: 'data and data_base64 are mutually exclusive',
      });
    }
    if (value.data_base64 !== undefined && !BASE64.test(value.data_base64)) {
      ctx.addIssue({ code: 'custom', path: ['data_base64'], message: 'Not valid base64' });
    }
  });

const binaryContextSchema = z
  .object(cloudEventContext)
  .catchall(z.string().max(2048))
  .superRefine((value, ctx) => {
    for (const reserved of ['data', 'datacontenttype']) {
      if (reserved in value) {
        ctx.addIssue({
          code: 'custom',
          path: [reserved],
          message:
            reserved === 'data'
              ? 'Binary mode carries data in the body'
              : 'Binary mode uses the Content-Type header',
        });
      }
    }
  });

/**
 * The dedup key of a CloudEvent: `source` + `id` identify an event (spec §3.1.1), so a redelivery is
 * a duplicate without any header. JSON framing keeps the pair unambiguous; a pair too long for the
 * 255-character key becomes a hash of itself (still unambiguous, still deterministic).
 */
export function cloudEventIdempotencyKey(source: string, id: string): string {
  const readable = JSON.stringify([source, id]);
  if (readable.length <= MAX_IDEMPOTENCY_KEY_LENGTH) return readable;
  return `ce-sha256:${createHash('sha256').update(readable, 'utf8').digest('hex')}`;
}

/**
 * The payload of a CloudEvent. Switchyard payloads are JSON objects; data that is not one (a JSON
 * scalar or array, or bytes of another content type) is wrapped as `{ data }` / `{ data_base64 }`
 * so nothing is lost, and `datacontenttype` stays in the attributes to tell consumers how to read it.
 */
function cloudEventPayload(
  data: unknown,
  dataBase64: string | undefined,
  contentType: string | undefined,
  path: string,
): Outcome<Record<string, unknown>> {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
  let value = data;
  if (dataBase64 !== undefined) {
    if (!isJsonMediaType(type)) return { ok: true, value: { data_base64: dataBase64 } };
    const decoded = parseJsonText(Buffer.from(dataBase64, 'base64').toString('utf8'), path);
    if (!decoded.ok) return decoded;
    value = decoded.value;
  }
  if (value === undefined || value === null) return { ok: true, value: {} };
  return { ok: true, value: isPlainObject(value) ? value : { data: value } };
}

function cloudEventToModel(
  format: 'cloudevents-structured' | 'cloudevents-binary',
  context: Record<string, unknown>,
  payload: Record<string, unknown>,
  headerKey: string | undefined,
  payloadPath: string,
): Outcome<PublishedEvent> {
  const size = payloadSize(payload);
  if (size > MAX_PAYLOAD_BYTES) return payloadTooLarge(payloadPath, size);
  const attributes: EventAttributes = {};
  for (const [name, value] of Object.entries(context)) {
    if (name === 'source' || name === 'type' || name === 'data' || name === 'data_base64') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      attributes[name] = value;
  }
  const source = context.source as string;
  const id = context.id as string;
  return {
    ok: true,
    value: {
      format,
      eventType: context.type as string,
      payload,
      source,
      // An explicit Idempotency-Key header wins over the implicit source + id.
      idempotencyKey: headerKey ?? cloudEventIdempotencyKey(source, id),
      attributes,
    },
  };
}

function structuredEvent(
  value: unknown,
  headerKey: string | undefined,
  prefix?: string,
): Outcome<PublishedEvent> {
  const parsed = structuredCloudEventSchema.safeParse(value);
  const names = extensionNameDetails(value, STRUCTURED_FIELDS, (key) =>
    [prefix, key].filter(Boolean).join('.'),
  );
  if (!parsed.success) return invalid([...issuesToDetails(parsed.error.issues, prefix), ...names]);
  if (names.length > 0) return invalid(names);
  const event = parsed.data;
  const dataPath = [prefix, event.data_base64 !== undefined ? 'data_base64' : 'data']
    .filter(Boolean)
    .join('.');
  const payload = cloudEventPayload(event.data, event.data_base64, event.datacontenttype, dataPath);
  if (!payload.ok) return payload;
  return cloudEventToModel('cloudevents-structured', event, payload.value, headerKey, dataPath);
}

function percentDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

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
  const parsed = binaryContextSchema.safeParse(context);
  const names = extensionNameDetails(context, KNOWN_ATTRIBUTES, (key) => `headers.ce-${key}`);
  if (!parsed.success || names.length > 0) {
    // Point at the header the producer actually sent.
    const issues = parsed.success ? [] : parsed.error.issues;
    return invalid([
      ...issues.map((issue) => ({
        path: `headers.ce-${issue.path.map(String).join('.')}`,
        message: issue.message,
      })),
      ...names,
    ]);
  }
  const contentType = headers['content-type'];
  const type = mediaTypeOf(headers);
  const bytes = bodyBytes(input);
  let payload: Outcome<Record<string, unknown>>;
  if (bytes.length === 0) payload = { ok: true, value: {} };
  else if (isJsonMediaType(type)) {
    const json = parseJsonText(bytes.toString('utf8'), 'body');
    payload = json.ok ? cloudEventPayload(json.value, undefined, contentType, 'body') : json;
  } else payload = { ok: true, value: { data_base64: bytes.toString('base64') } };
  if (!payload.ok) return payload;
  const withType =
    contentType === undefined ? parsed.data : { ...parsed.data, datacontenttype: contentType.trim() };
  return cloudEventToModel('cloudevents-binary', withType, payload.value, headerKey, 'body');
}

// ---------------------------------------------------------------------------------------------------
// Entry points

function unsupported(message: string) {
  return reject(415, 'unsupported_media_type', message, [{ path: 'headers.content-type', message }]);
}

/**
 * POST /events. Call `checkContentLength` first (413 before parsing). Structured CloudEvents are
 * recognised by their media type; binary ones by a `ce-specversion` header; anything else JSON (or
 * no Content-Type) is the native form.
 */
export function parsePublishRequest(input: HttpRequestInput): Outcome<PublishedEvent> {
  const headers = normalizeHeaders(input.headers);
  const key = headerIdempotencyKey(headers);
  if (!key.ok) return key;
  const type = mediaTypeOf(headers);
  if (type === CLOUDEVENTS_MEDIA_TYPE) {
    const json = parseJsonText(bodyBytes(input).toString('utf8'), 'body');
    return json.ok ? structuredEvent(json.value, key.value) : json;
  }
  if (type === CLOUDEVENTS_BATCH_MEDIA_TYPE)
    return unsupported('CloudEvents batches go to POST /events/batch');
  if (headers['ce-specversion'] !== undefined) return binaryEvent(headers, input, key.value);
  if (type !== undefined && type !== 'application/json') {
    return unsupported(`Content-Type must be application/json or ${CLOUDEVENTS_MEDIA_TYPE}`);
  }
  const json = parseJsonText(bodyBytes(input).toString('utf8'), 'body');
  return json.ok ? nativeEvent(json.value, key.value) : json;
}

/** One item of a batch: its own event or its own rejection (partial success is normal). */
export type BatchItem =
  | {
      index: number;
      ok: true;
      event: PublishedEvent;
      /** An earlier item of the same batch has the same idempotency key: answer as its duplicate. */
      duplicateOfIndex?: number;
    }
  | { index: number; ok: false; rejection: RequestRejection };

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
export function parseBatchRequest(input: HttpRequestInput): Outcome<BatchItem[]> {
  const headers = normalizeHeaders(input.headers);
  if (headers['idempotency-key'] !== undefined) {
    return invalid([
      {
        path: 'headers.idempotency-key',
        message: 'Not supported on batches; give each event its own idempotency_key',
      },
    ]);
  }
  const type = mediaTypeOf(headers);
  const cloudEvents = type === CLOUDEVENTS_BATCH_MEDIA_TYPE;
  if (!cloudEvents && type !== undefined && type !== 'application/json') {
    return unsupported(`Content-Type must be application/json or ${CLOUDEVENTS_BATCH_MEDIA_TYPE}`);
  }
  const json = parseJsonText(bodyBytes(input).toString('utf8'), 'body');
  if (!json.ok) return json;
  let raw: unknown[];
  if (cloudEvents) {
    const parsed = cloudEventsBatchSchema.safeParse(json.value);
    if (!parsed.success) return invalid(issuesToDetails(parsed.error.issues, 'body'));
    raw = parsed.data;
  } else {
    const parsed = nativeBatchSchema.safeParse(json.value);
    if (!parsed.success) return invalid(issuesToDetails(parsed.error.issues));
    raw = parsed.data.events;
  }
  const firstByKey = new Map<string, number>();
  const items = raw.map((value, index): BatchItem => {
    const parsed = cloudEvents ? structuredEvent(value, undefined) : nativeEvent(value, undefined);
    if (!parsed.ok) return { index, ok: false, rejection: parsed.rejection };
    const key = parsed.value.idempotencyKey;
    const first = key === undefined ? undefined : firstByKey.get(key);
    if (key !== undefined && first === undefined) firstByKey.set(key, index);
    return {
      index,
      ok: true,
      event: parsed.value,
      ...(first === undefined ? {} : { duplicateOfIndex: first }),
    };
  });
  return { ok: true, value: items };
}

// ---------------------------------------------------------------------------------------------------
// Stored events and responses

export function newIngestedEvent(
  event: PublishedEvent,
  context: { tenantId: string; eventId: string; now: Date; apiKeyId?: string },
): IngestedEvent {
  return {
    ...event,
    tenantId: context.tenantId,
    eventId: context.eventId,
    receivedAt: context.now.toISOString(),
    ...(context.apiKeyId === undefined ? {} : { apiKeyId: context.apiKeyId }),
  };
}

/** The 202 body of POST /events (also what a duplicate answers, with `duplicate: true`). */
export interface AcceptedEventBody {
  status: 'accepted';
  event_id: string;
  received_at: string;
  event_type: string;
  source: string;
  duplicate: boolean;
}

export function acceptedBody(
  event: Pick<IngestedEvent, 'eventId' | 'receivedAt' | 'eventType' | 'source'>,
  duplicate: boolean,
): AcceptedEventBody {
  return {
    status: 'accepted',
    event_id: event.eventId,
    received_at: event.receivedAt,
    event_type: event.eventType,
    source: event.source,
    duplicate,
  };
}

export type BatchItemResult =
  | {
      index: number;
      status: 'accepted' | 'duplicate';
      event_id: string;
      received_at: string;
      event_type: string;
      source: string;
      duplicate: boolean;
    }
  | { index: number; status: 'rejected'; error: { code: string; message: string; details: FieldError[] } };

export function acceptedItem(index: number, body: AcceptedEventBody): BatchItemResult {
  return { ...body, index, status: body.duplicate ? 'duplicate' : 'accepted' };
}

export function rejectedItem(
  index: number,
  error:
    | Pick<RequestRejection, 'code' | 'message' | 'details'>
    | { code: string; message: string; details?: FieldError[] },
): BatchItemResult {
  return {
    index,
    status: 'rejected',
    error: { code: error.code, message: error.message, details: error.details ?? [] },
  };
}

export interface BatchResponse {
  /** 202 when every item was accepted (or was a duplicate); 207 when any item was rejected. */
  status: 202 | 207;
  body: { results: BatchItemResult[]; accepted: number; duplicates: number; rejected: number };
}

export function batchResponse(results: readonly BatchItemResult[]): BatchResponse {
  const sorted = [...results].sort((a, b) => a.index - b.index);
  const count = (status: BatchItemResult['status']) => sorted.filter((r) => r.status === status).length;
  const rejected = count('rejected');
  return {
    status: rejected > 0 ? 207 : 202,
    body: { results: sorted, accepted: count('accepted'), duplicates: count('duplicate'), rejected },
  };
}
