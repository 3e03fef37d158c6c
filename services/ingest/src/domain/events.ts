/**
 * What a producer may publish, mapped onto one model (`PublishedEvent`):
 *
 *  - a native event: `{ event_type, payload, source?, idempotency_key? }`;
 *  - a CloudEvent 1.0, whole (the JSON event format) or as context attributes apart from its data
 *    (`cloudEventFromParts`, for the HTTP binary mode).
 *
 * How these arrive over HTTP (media types, headers, body sizes and encodings) is
 * src/http/publish-request.ts's business. Pure: no I/O, no clock. Every rejection is a value
 * (`Rejection`) with field-level details (`path` + `message`), never an exception. Messages never
 * echo the submitted values (they may be secrets or personal data).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Largest payload (UTF-8 of its JSON) one event may carry. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const MAX_BATCH_EVENTS = 100;
/** `source` of a native event that names none. */
export const DEFAULT_SOURCE = 'api';
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

/** One field-level problem, e.g. `{ path: 'payload', message: 'Invalid input: expected record' }`. */
export interface FieldError {
  path: string;
  message: string;
}

export type RejectionCode = 'validation_failed' | 'bad_request' | 'payload_too_large';

/** An event (or batch item) refused before anything is stored. */
export interface Rejection {
  code: RejectionCode;
  message: string;
  details: FieldError[];
}

export type Outcome<T, R = Rejection> = { ok: true; value: T } | { ok: false; rejection: R };

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

/** `application/JSON; charset=utf-8` → `application/json`; absent or empty → undefined. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/** Whether data of this media type is JSON (CloudEvents: no `datacontenttype` means JSON). */
export function isJsonMediaType(type: string | undefined): boolean {
  return type === undefined || type === 'application/json' || type === 'text/json' || type.endsWith('+json');
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

function reject(
  code: RejectionCode,
  message: string,
  details: FieldError[],
): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: { code, message, details } };
}

export const invalid = (details: FieldError[]) =>
  reject('validation_failed', 'Request validation failed', details);

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

export function parseJsonText(text: string, path: string): Outcome<unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    // The SyntaxError's message quotes the input; say only that it is not JSON.
    return reject('bad_request', 'The body is not valid JSON', [{ path, message: 'Not valid JSON' }]);
  }
  const problem = carriageProblem(value);
  return problem ? invalid([{ path, message: problem }]) : { ok: true, value };
}

/**
 * How deep JSON may nest in an event. Everything after ingest walks events recursively (JSON
 * serialisation, the bus's input transformation, consumers' parsers): measured, they fail from about
 * 4,150 levels on a main thread's stack and sooner on a worker's. 64 is far below that and far above
 * what events carry (DynamoDB's own documents stop at 32).
 */
export const MAX_NESTING_DEPTH = 64;

/**
 * Characters no queue on the way can carry: SQS refuses U+FFFE, U+FFFF and unpaired surrogates
 * (an unpaired surrogate is not even encodable as UTF-8). Control characters are fine: JSON
 * escapes them. Characters of every other plane, emoji included, are carried.
 */
const UNCARRIABLE = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why a parsed JSON value cannot travel the platform's path, or undefined. Iterative, so a value
 * nested 100,000 deep is answered, not a stack overflow. Says nothing of the value itself.
 */
export function carriageProblem(value: unknown): string | undefined {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (typeof current === 'string') {
      if (UNCARRIABLE.test(current))
        return 'Contains U+FFFE, U+FFFF or an unpaired surrogate, which cannot be carried';
    } else if (current !== null && typeof current === 'object') {
      if (depth >= MAX_NESTING_DEPTH) return `Nested deeper than ${MAX_NESTING_DEPTH} levels`;
      for (const [key, child] of Object.entries(current)) {
        if (UNCARRIABLE.test(key))
          return 'Contains U+FFFE, U+FFFF or an unpaired surrogate, which cannot be carried';
        pending.push([child, depth + 1]);
      }
    }
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function payloadTooLarge(path: string, size: number): { ok: false; rejection: Rejection } {
  return reject('payload_too_large', `The payload exceeds ${MAX_PAYLOAD_BYTES} bytes`, [
    { path, message: `payload is ${size} bytes; the limit is ${MAX_PAYLOAD_BYTES}` },
  ]);
}

/** UTF-8 size of the payload as ingest will store and send it (compact JSON). */
export function payloadSize(payload: Record<string, unknown>): number {
  return utf8Length(JSON.stringify(payload));
}

// ---------------------------------------------------------------------------------------------------
// Native JSON

export const idempotencyKeySchema = z.string().min(1).max(MAX_IDEMPOTENCY_KEY_LENGTH);

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

/**
 * Validates a native event (already JSON-parsed); `headerKey` is an idempotency key given beside
 * the body, and `prefix` prefixes detail paths (batch items).
 */
export function nativeEvent(
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
  const type = mediaType(contentType);
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

/** A CloudEvent in the JSON event format (the structured mode's body, a CloudEvents batch's item). */
export function structuredEvent(
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

/**
 * A CloudEvent whose context attributes travel apart from its data (the HTTP binary mode: `ce-*`
 * headers and the body): `contentType` of the data becomes `datacontenttype`, and `paths` say where
 * each attribute and the data came from, for the details of a rejection.
 */
export function cloudEventFromParts(
  parts: { context: Record<string, string>; data: Buffer; contentType: string | undefined },
  headerKey: string | undefined,
  paths: { attribute: (name: string) => string; data: string },
): Outcome<PublishedEvent> {
  const parsed = binaryContextSchema.safeParse(parts.context);
  const names = extensionNameDetails(parts.context, KNOWN_ATTRIBUTES, paths.attribute);
  if (!parsed.success || names.length > 0) {
    // Point at where the producer actually put the attribute.
    const issues = parsed.success ? [] : parsed.error.issues;
    return invalid([
      ...issues.map((issue) => ({
        path: paths.attribute(issue.path.map(String).join('.')),
        message: issue.message,
      })),
      ...names,
    ]);
  }
  const { contentType, data } = parts;
  let payload: Outcome<Record<string, unknown>>;
  if (data.length === 0) payload = { ok: true, value: {} };
  else if (isJsonMediaType(mediaType(contentType))) {
    const json = parseJsonText(data.toString('utf8'), paths.data);
    payload = json.ok ? cloudEventPayload(json.value, undefined, contentType, paths.data) : json;
  } else payload = { ok: true, value: { data_base64: data.toString('base64') } };
  if (!payload.ok) return payload;
  const withType =
    contentType === undefined ? parsed.data : { ...parsed.data, datacontenttype: contentType.trim() };
  return cloudEventToModel('cloudevents-binary', withType, payload.value, headerKey, paths.data);
}

// ---------------------------------------------------------------------------------------------------
// Batches

/** One item of a batch: its own event or its own rejection (partial success is normal). */
export type BatchItem<R = Rejection> =
  | {
      index: number;
      ok: true;
      event: PublishedEvent;
      /** An earlier item of the same batch has the same idempotency key: answer as its duplicate. */
      duplicateOfIndex?: number;
    }
  | { index: number; ok: false; rejection: R };

/**
 * A batch's items from their outcomes, in order: an item repeating an earlier item's idempotency key
 * is marked as that item's duplicate (it is answered as such, never stored twice).
 */
export function batchItems<R>(outcomes: readonly Outcome<PublishedEvent, R>[]): BatchItem<R>[] {
  const firstByKey = new Map<string, number>();
  return outcomes.map((parsed, index): BatchItem<R> => {
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

/** One item's answer in a batch response: the 202 body of its event, or its own error. */
export type BatchItemResult =
  | (Omit<AcceptedEventBody, 'status'> & { index: number; status: 'accepted' | 'duplicate' })
  | { index: number; status: 'rejected'; error: { code: string; message: string; details: FieldError[] } };

export function acceptedItem(index: number, body: AcceptedEventBody): BatchItemResult {
  return { ...body, index, status: body.duplicate ? 'duplicate' : 'accepted' };
}

export function rejectedItem(
  index: number,
  error: Rejection | { code: string; message: string; details?: FieldError[] },
): BatchItemResult {
  return {
    index,
    status: 'rejected',
    error: { code: error.code, message: error.message, details: error.details ?? [] },
  };
}
