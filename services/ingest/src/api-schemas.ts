/**
 * The zod schemas of every ingest route's request and response, and the route table. Handlers
 * validate with these schemas and `GET /openapi.json` is generated from the same objects
 * (src/adapters/openapi.ts), so the document cannot drift from what the code accepts and returns.
 *
 * Request schemas come from the domain where the domain owns the rule (publish bodies, CloudEvents,
 * the inbox query); this file adds the response shapes and the plain route inputs.
 */
import { errorResponseSchemas } from '@switchyard/runtime';
import type { RouteSpec as BaseRouteSpec } from '@switchyard/runtime';
import { z } from 'zod';
import type { AcceptedEventBody, BatchItemResult } from './domain/events';
import { MAX_BATCH_EVENTS, publishEventSchema, structuredCloudEventSchema } from './domain/events';
import { CLOUDEVENTS_BATCH_MEDIA_TYPE, CLOUDEVENTS_MEDIA_TYPE } from './http/publish-request';
import type { InboxEventView } from './domain/inbox';
import { inboxQuerySchema } from './domain/inbox';

// ---------------------------------------------------------------------------------------------------
// Shared

/** The platform's one error shape. */
export const { fieldErrorSchema, errorResponseSchema } = errorResponseSchemas({
  fieldPaths: ['payload', 'query.limit'],
  codes: ['validation_failed', 'invalid_cursor'],
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

export const eventIdPathSchema = z.object({
  id: z.string().min(1).max(128).describe('The `event_id` returned when the event was accepted.'),
});

// ---------------------------------------------------------------------------------------------------
// Publishing (POST /events, POST /events/batch): request shapes are the domain's.

export const publishEventRequestSchema = publishEventSchema;
export const cloudEventRequestSchema = structuredCloudEventSchema.describe(
  'A CloudEvents 1.0 event in structured mode. `type` becomes event_type, `data` the payload, the ' +
    'other context attributes and extensions are kept in `attributes`.',
);

export const publishBatchRequestSchema = z.strictObject({
  events: z.array(publishEventSchema).min(1).max(MAX_BATCH_EVENTS),
});
export const cloudEventBatchRequestSchema = z.array(structuredCloudEventSchema).min(1).max(MAX_BATCH_EVENTS);

export const acceptedEventSchema = z.object({
  status: z.literal('accepted'),
  event_id: z.string(),
  received_at: z.iso.datetime({ offset: true }),
  event_type: z.string(),
  source: z.string(),
  duplicate: z
    .boolean()
    .describe('True when the idempotency key was seen within 24 hours: the original event.'),
}) satisfies z.ZodType<AcceptedEventBody>; // the schema describes what the domain builds

export const batchItemResultSchema = z.discriminatedUnion('status', [
  z.object({
    index: z.number().int(),
    status: z.enum(['accepted', 'duplicate']),
    event_id: z.string(),
    received_at: z.iso.datetime({ offset: true }),
    event_type: z.string(),
    source: z.string(),
    duplicate: z.boolean(),
  }),
  z.object({
    index: z.number().int(),
    status: z.literal('rejected'),
    error: z.object({ code: z.string(), message: z.string(), details: z.array(fieldErrorSchema) }),
  }),
]) satisfies z.ZodType<BatchItemResult>;

export const batchResponseSchema = z.object({
  results: z.array(batchItemResultSchema),
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
});

// ---------------------------------------------------------------------------------------------------
// Pull API

export { inboxQuerySchema };

export const eventViewSchema = z.object({
  event_id: z.string(),
  event_type: z.string(),
  source: z.string(),
  received_at: z.iso.datetime({ offset: true }),
  payload: z.record(z.string(), z.unknown()),
  attributes: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
    .optional()
    .describe('CloudEvents context attributes and extensions, when the event came as a CloudEvent.'),
  delivered: z.boolean().describe('True once acknowledged (DELETE /events/{id}).'),
  lease: z
    .object({
      token: z
        .string()
        .optional()
        .describe(
          'Only in the GET /inbox answer that took the lease: give it to POST /events/{id}/release to make the event visible again.',
        ),
      expires_at: z.iso.datetime({ offset: true }),
    })
    .optional()
    .describe('Present while the event is leased.'),
}) satisfies z.ZodType<InboxEventView>;
export type EventView = z.infer<typeof eventViewSchema>;

export const inboxPageSchema = z.object({
  events: z.array(eventViewSchema).describe('Undelivered, unleased events, oldest first.'),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null at the end.'),
  has_more: z.boolean(),
});
export type InboxPage = z.infer<typeof inboxPageSchema>;

export const releaseLeaseRequestSchema = z.strictObject({
  lease_token: z.string().min(1).max(128).describe('The `lease.token` GET /inbox returned with the event.'),
});

// ---------------------------------------------------------------------------------------------------
// Status

export const dependencyStateSchema = z.enum(['ok', 'error']);
export const statusResponseSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number().nonnegative(),
  dependencies: z.object({ dynamodb: dependencyStateSchema, bus: dependencyStateSchema.optional() }),
});
export type StatusResponse = z.infer<typeof statusResponseSchema>;

// ---------------------------------------------------------------------------------------------------
// Named schemas: the OpenAPI document's components (and the names of the generated client types).

export const namedSchemas = {
  ErrorResponse: errorResponseSchema,
  FieldError: fieldErrorSchema,
  PublishEventRequest: publishEventRequestSchema,
  CloudEvent: cloudEventRequestSchema,
  PublishBatchRequest: publishBatchRequestSchema,
  CloudEventBatchRequest: cloudEventBatchRequestSchema,
  AcceptedEvent: acceptedEventSchema,
  BatchItemResult: batchItemResultSchema,
  BatchResponse: batchResponseSchema,
  EventView: eventViewSchema,
  InboxPage: inboxPageSchema,
  ReleaseLeaseRequest: releaseLeaseRequestSchema,
  StatusResponse: statusResponseSchema,
} as const;

// ---------------------------------------------------------------------------------------------------
// Routes

export type ErrorStatus = 400 | 401 | 402 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

/** A route of the table; the shape is the runtime's (`generateOpenApiDocument`). */
export type RouteSpec = BaseRouteSpec<ErrorStatus>;

const RATE_LIMIT_HEADERS = ['RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] as const;
const PUBLISH_ERRORS = [400, 401, 402, 403, 413, 415, 429] as const;

export const routes: readonly RouteSpec[] = [
  {
    method: 'post',
    path: '/events',
    operationId: 'publishEvent',
    summary: 'Publish one event',
    description:
      'Native JSON, CloudEvents 1.0 structured mode (`application/cloudevents+json`), or CloudEvents ' +
      'binary mode (`ce-specversion`, `ce-id`, `ce-source`, `ce-type` headers; the body is the data). ' +
      'Payloads up to 256 KB; larger requests get 413 before the body is parsed. JSON nested deeper ' +
      'than 64 levels, and U+FFFE, U+FFFF or unpaired surrogates anywhere in the body, are a 400 ' +
      '(no queue on the way carries them). The same idempotency key for other content is a 422 ' +
      '`idempotency_key_reused`. Roles creator and admin.',
    auth: true,
    headers: {
      'Idempotency-Key':
        'Alternative to `idempotency_key` (at most 255 characters); same key within 24 h → the original event.',
    },
    requestBody: {
      content: {
        'application/json': publishEventRequestSchema,
        [CLOUDEVENTS_MEDIA_TYPE]: cloudEventRequestSchema,
      },
    },
    responses: {
      202: {
        description: 'Accepted (or a duplicate of an earlier event).',
        schema: acceptedEventSchema,
        headers: RATE_LIMIT_HEADERS,
      },
    },
    errors: [...PUBLISH_ERRORS, 422],
  },
  {
    method: 'post',
    path: '/events/batch',
    operationId: 'publishBatch',
    summary: 'Publish up to 100 events (1 MB) with a result per item',
    auth: true,
    requestBody: {
      content: {
        'application/json': publishBatchRequestSchema,
        [CLOUDEVENTS_BATCH_MEDIA_TYPE]: cloudEventBatchRequestSchema,
      },
    },
    responses: {
      202: {
        description: 'Every item accepted or a duplicate.',
        schema: batchResponseSchema,
        headers: RATE_LIMIT_HEADERS,
      },
      207: {
        description: 'Some items rejected (see each result).',
        schema: batchResponseSchema,
        headers: RATE_LIMIT_HEADERS,
      },
    },
    errors: PUBLISH_ERRORS,
  },
  {
    method: 'get',
    path: '/inbox',
    operationId: 'listInbox',
    summary: 'Undelivered events, oldest first',
    description:
      'Cursor pagination (`next_cursor`, `has_more`). With `lease_seconds`, the returned events are hidden ' +
      'from other listings for that long unless acknowledged or released. A malformed or tampered cursor is 400 `invalid_cursor`.',
    auth: true,
    query: inboxQuerySchema,
    responses: { 200: { description: 'One page of the inbox.', schema: inboxPageSchema } },
    errors: [400, 401, 403],
  },
  {
    method: 'get',
    path: '/events/{id}',
    operationId: 'getEvent',
    summary: "One of the caller's tenant's events",
    auth: true,
    pathParams: eventIdPathSchema,
    responses: { 200: { description: 'The event.', schema: eventViewSchema } },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'delete',
    path: '/events/{id}',
    operationId: 'acknowledgeEvent',
    summary: 'Acknowledge (idempotent): the event leaves the inbox',
    auth: true,
    pathParams: eventIdPathSchema,
    responses: { 204: { description: 'Acknowledged (now or before).' } },
    errors: [400, 401, 403, 404],
  },
  {
    method: 'post',
    path: '/events/{id}/release',
    operationId: 'releaseLease',
    summary: 'Give a lease back: the event is visible again at once',
    description:
      'Needs the lease token. 204 also when the lease already ended; 409 when another lease holds the event or it was acknowledged.',
    auth: true,
    pathParams: eventIdPathSchema,
    requestBody: { content: { 'application/json': releaseLeaseRequestSchema } },
    responses: { 204: { description: 'Released (or no longer leased).' } },
    errors: [400, 401, 403, 404, 409, 415],
  },
  {
    method: 'get',
    path: '/status',
    operationId: 'getStatus',
    summary: 'Health, version, uptime and dependencies (no authentication)',
    auth: false,
    responses: {
      200: { description: 'Every dependency answers.', schema: statusResponseSchema },
      503: {
        description: 'A dependency does not answer (same body, status `degraded`).',
        schema: statusResponseSchema,
      },
    },
    errors: [],
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document (no authentication)',
    auth: false,
    responses: { 200: { description: 'OpenAPI 3.1.', schema: z.record(z.string(), z.unknown()) } },
    errors: [],
  },
];
