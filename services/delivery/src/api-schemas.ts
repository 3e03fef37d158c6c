/**
 * The zod schemas of every delivery API route's request and response, and the route table. Handlers
 * validate with these schemas and `GET /delivery/openapi.json` is generated from the same objects
 * (src/adapters/openapi.ts), so the document cannot drift from what the code accepts and returns.
 *
 * JSON is snake_case, like ingest's API. The rules themselves (event type patterns, URL form,
 * views) are the domain's (src/domain/subscriptions.ts); this file turns them into request schemas
 * with field-level errors and describes the answers.
 */
import { errorResponseSchemas } from '@switchyard/runtime';
import type { RouteSpec as BaseRouteSpec } from '@switchyard/runtime';
import { z } from 'zod';
import type {
  AttemptView,
  EventDeliveriesView,
  RequestedAttemptView,
  RotatedSecretView,
  SubscriptionView,
} from './domain/subscriptions';
import {
  endpointUrlSyntaxProblem,
  eventTypePatternProblem,
  MAX_EVENT_TYPES,
  MAX_RECOVER_PER_REQUEST,
  MAX_URL_LENGTH,
} from './domain/subscriptions';

// ---------------------------------------------------------------------------------------------------
// Shared

/** The platform's one error shape. */
export const { fieldErrorSchema, errorResponseSchema } = errorResponseSchemas({
  fieldPaths: ['event_types.0', 'query.limit'],
  codes: ['validation_failed', 'not_found', 'endpoint_disabled'],
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

export const pageQuerySchema = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_LIMIT)
    .default(DEFAULT_PAGE_LIMIT)
    .describe(`Page size, 1–${MAX_PAGE_LIMIT} (default ${DEFAULT_PAGE_LIMIT}).`),
  cursor: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe('The `next_cursor` of the previous page. A changed or foreign cursor is 400 `invalid_cursor`.'),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;

export const subscriptionIdPathSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .describe('The `subscription_id` returned when the subscription was created.'),
});

export const eventIdPathSchema = z.object({
  id: z.string().min(1).max(128).describe('The `event_id` ingest returned when the event was accepted.'),
});

export const resendPathSchema = z.object({
  id: z.string().min(1).max(128).describe('The subscription.'),
  eventId: z.string().min(1).max(128).describe('The event to deliver again to this subscription.'),
});

// ---------------------------------------------------------------------------------------------------
// Subscriptions: requests

const endpointUrlSchema = z
  .string()
  .max(MAX_URL_LENGTH)
  .superRefine((value, ctx) => {
    const problem = endpointUrlSyntaxProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `url ${problem}` });
  })
  .describe(
    'Where deliveries are POSTed: an absolute http(s) URL without credentials or fragment, at most 2048 ' +
      'characters; https in production stages. Addresses are checked when connecting (loopback, private, ' +
      'link-local and cloud-metadata addresses are refused unless an operator allows them).',
  );

const eventTypePatternSchema = z
  .string()
  .superRefine((value, ctx) => {
    const problem = eventTypePatternProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: `event type pattern ${problem}` });
  })
  .describe('An exact event type (`order.created`), a prefix (`order.*`), or `*` for every event.');

const eventTypesSchema = z
  .array(eventTypePatternSchema)
  .min(1)
  .max(MAX_EVENT_TYPES)
  .describe(`1–${MAX_EVENT_TYPES} patterns; the endpoint receives events matching any of them.`);

const descriptionSchema = z.string().max(500).describe('Free text for people, at most 500 characters.');

const rateLimitSchema = z
  .number()
  .int()
  .min(1)
  .max(10_000)
  .describe('Most deliveries per second to this endpoint; absent = the service default.');

export const createSubscriptionRequestSchema = z.strictObject({
  url: endpointUrlSchema,
  event_types: eventTypesSchema,
  description: descriptionSchema.optional(),
  enabled: z.boolean().optional().describe('Default true. A disabled endpoint receives nothing.'),
  rate_limit_per_second: rateLimitSchema.optional(),
});
export type CreateSubscriptionRequest = z.infer<typeof createSubscriptionRequestSchema>;

export const updateSubscriptionRequestSchema = z
  .strictObject({
    url: endpointUrlSchema.optional(),
    event_types: eventTypesSchema.optional(),
    description: descriptionSchema.nullable().optional().describe('null removes it.'),
    enabled: z
      .boolean()
      .optional()
      .describe(
        'false disables the endpoint by hand; true re-enables a disabled one and restarts its failure ' +
          'window. Messages held while it was disabled are sent again only by POST …/recover.',
      ),
    rate_limit_per_second: rateLimitSchema.nullable().optional().describe('null returns to the default.'),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Nothing to change: give at least one field.' });
export type UpdateSubscriptionRequest = z.infer<typeof updateSubscriptionRequestSchema>;

export const recoverRequestSchema = z.strictObject({
  since: z.iso
    .datetime({ offset: true })
    .describe(
      'Messages created at or after this time whose status is failed, exhausted or held are sent again.',
    ),
  cursor: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .describe(
      'The `next_cursor` of the previous answer, with the same `since`, to continue past its last message.',
    ),
});
export type RecoverRequest = z.infer<typeof recoverRequestSchema>;

// ---------------------------------------------------------------------------------------------------
// Subscriptions: answers

const timestampSchema = z.iso.datetime({ offset: true });

export const subscriptionSchema = z.object({
  subscription_id: z.string(),
  url: z.string(),
  event_types: z.array(z.string()),
  description: z.string().optional(),
  enabled: z.boolean(),
  disabled_reason: z
    .enum(['gone', 'failing', 'manual'])
    .optional()
    .describe(
      'Why it is disabled: the endpoint answered 410, it failed for too long, or an admin disabled it.',
    ),
  disabled_at: timestampSchema.optional(),
  failing_since: timestampSchema
    .optional()
    .describe('Start of the current run of failures; after 5 days (configurable) the endpoint is disabled.'),
  rate_limit_per_second: z.number().int().optional(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
}) satisfies z.ZodType<SubscriptionView>;
export type SubscriptionResponse = z.infer<typeof subscriptionSchema>;

export const createdSubscriptionSchema = subscriptionSchema.extend({
  secret: z
    .string()
    .describe(
      'The signing secret (`whsec_…`) for verifying `webhook-signature`. Shown only here and on rotation.',
    ),
});
export type CreatedSubscriptionResponse = z.infer<typeof createdSubscriptionSchema>;

export const subscriptionPageSchema = z.object({
  subscriptions: z.array(subscriptionSchema).describe('Oldest first.'),
  next_cursor: z.string().nullable().describe('Pass as `cursor` for the next page; null at the end.'),
  has_more: z.boolean(),
});
export type SubscriptionPage = z.infer<typeof subscriptionPageSchema>;

export const rotatedSecretSchema = z.object({
  subscription_id: z.string(),
  secret: z.string().describe('The new signing secret (`whsec_…`); shown only here.'),
  previous_secrets_expire_at: timestampSchema
    .nullable()
    .describe('Until then deliveries also carry a signature by the previous secret (24 h after rotating).'),
}) satisfies z.ZodType<RotatedSecretView>;
export type RotatedSecretResponse = z.infer<typeof rotatedSecretSchema>;

// ---------------------------------------------------------------------------------------------------
// Attempts and deliveries

export const attemptSchema = z.object({
  event_id: z.string(),
  subscription_id: z.string(),
  webhook_id: z.string().describe('The `webhook-id` header: the same for every attempt of one message.'),
  attempt: z.number().int().describe('1 for the first attempt of the message.'),
  attempted_at: timestampSchema,
  trigger: z
    .enum(['scheduled', 'resend', 'recover', 'test'])
    .describe('The retry schedule, or a manual resend / recover / test.'),
  outcome: z.enum(['delivered', 'failed', 'gone', 'refused']),
  status_code: z.number().int().optional().describe('Absent when no response came.'),
  latency_ms: z.number().nonnegative(),
  response_body: z.string().optional().describe('The first 1 KB of the response body.'),
  error: z.string().optional().describe('Timeout, connection error, refused address...'),
}) satisfies z.ZodType<AttemptView>;
export type AttemptResponse = z.infer<typeof attemptSchema>;

export const attemptPageSchema = z.object({
  attempts: z.array(attemptSchema).describe('Newest first.'),
  next_cursor: z.string().nullable(),
  has_more: z.boolean(),
});
export type AttemptPage = z.infer<typeof attemptPageSchema>;

export const messageSchema = z.object({
  subscription_id: z.string(),
  webhook_id: z.string(),
  status: z.enum(['pending', 'delivered', 'failed', 'exhausted', 'held', 'cancelled']),
  attempts_made: z.number().int(),
  next_attempt_at: timestampSchema.optional(),
  delivered_at: timestampSchema.optional(),
  last_error: z.object({ status_code: z.number().int().optional(), message: z.string() }).optional(),
  created_at: timestampSchema,
  updated_at: timestampSchema,
  attempts: z.array(attemptSchema).describe('Oldest first.'),
});

export const eventDeliveriesSchema = z.object({
  event_id: z.string(),
  event_type: z.string(),
  received_at: timestampSchema,
  messages: z.array(messageSchema).describe('One per subscription the event was for.'),
}) satisfies z.ZodType<EventDeliveriesView>;
export type EventDeliveriesResponse = z.infer<typeof eventDeliveriesSchema>;

export const requestedAttemptSchema = z.object({
  subscription_id: z.string(),
  event_id: z.string(),
  webhook_id: z.string(),
  status: z.literal('requested').describe('One attempt is queued; watch GET …/attempts for its result.'),
}) satisfies z.ZodType<RequestedAttemptView>;
export type RequestedAttemptResponse = z.infer<typeof requestedAttemptSchema>;

export const recoverResponseSchema = z.object({
  subscription_id: z.string(),
  requested: z.number().int().describe('Messages sent again (one attempt each), oldest first.'),
  has_more: z
    .boolean()
    .describe(`At most ${MAX_RECOVER_PER_REQUEST} per request: when true, more messages may remain.`),
  next_cursor: z
    .string()
    .nullable()
    .describe('Send it back as `cursor` (with the same `since`) to recover the rest; null at the end.'),
});
export type RecoverResponse = z.infer<typeof recoverResponseSchema>;

// ---------------------------------------------------------------------------------------------------
// Named schemas: the OpenAPI document's components.

export const namedSchemas = {
  ErrorResponse: errorResponseSchema,
  FieldError: fieldErrorSchema,
  CreateSubscriptionRequest: createSubscriptionRequestSchema,
  UpdateSubscriptionRequest: updateSubscriptionRequestSchema,
  RecoverRequest: recoverRequestSchema,
  Subscription: subscriptionSchema,
  CreatedSubscription: createdSubscriptionSchema,
  SubscriptionPage: subscriptionPageSchema,
  RotatedSecret: rotatedSecretSchema,
  Attempt: attemptSchema,
  AttemptPage: attemptPageSchema,
  Message: messageSchema,
  EventDeliveries: eventDeliveriesSchema,
  RequestedAttempt: requestedAttemptSchema,
  RecoverResponse: recoverResponseSchema,
} as const;

// ---------------------------------------------------------------------------------------------------
// Routes

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 415 | 500;

/** A route of the table; the shape is the runtime's (`generateOpenApiDocument`). */
export type RouteSpec = BaseRouteSpec<ErrorStatus>;

const READ_ERRORS = [400, 401, 403, 404] as const;
const WRITE_ERRORS = [400, 401, 403, 404, 415] as const;

export const routes: readonly RouteSpec[] = [
  {
    method: 'post',
    path: '/subscriptions',
    operationId: 'createSubscription',
    summary: 'Subscribe a webhook endpoint to event types',
    description: 'The answer carries the signing secret; it is never shown again (rotate to get a new one).',
    auth: true,
    requestBody: { content: { 'application/json': createSubscriptionRequestSchema } },
    responses: {
      201: { description: 'Created, with its signing secret.', schema: createdSubscriptionSchema },
    },
    errors: [400, 401, 403, 415],
  },
  {
    method: 'get',
    path: '/subscriptions',
    operationId: 'listSubscriptions',
    summary: "The tenant's subscriptions, oldest first",
    auth: true,
    query: pageQuerySchema,
    responses: { 200: { description: 'One page.', schema: subscriptionPageSchema } },
    errors: [400, 401, 403],
  },
  {
    method: 'get',
    path: '/subscriptions/{id}',
    operationId: 'getSubscription',
    summary: 'One subscription (without its secret)',
    auth: true,
    pathParams: subscriptionIdPathSchema,
    responses: { 200: { description: 'The subscription.', schema: subscriptionSchema } },
    errors: READ_ERRORS,
  },
  {
    method: 'patch',
    path: '/subscriptions/{id}',
    operationId: 'updateSubscription',
    summary: 'Change the URL, event types, description, rate limit, or enable / disable',
    auth: true,
    pathParams: subscriptionIdPathSchema,
    requestBody: { content: { 'application/json': updateSubscriptionRequestSchema } },
    responses: { 200: { description: 'The subscription as it is now.', schema: subscriptionSchema } },
    errors: WRITE_ERRORS,
  },
  {
    method: 'delete',
    path: '/subscriptions/{id}',
    operationId: 'deleteSubscription',
    summary: 'Delete a subscription',
    description:
      'Nothing more is delivered to it: messages still waiting are cancelled when their turn comes. Its ' +
      'attempts stay visible through GET /events/{id}/deliveries.',
    auth: true,
    pathParams: subscriptionIdPathSchema,
    responses: { 204: { description: 'Deleted.' } },
    errors: READ_ERRORS,
  },
  {
    method: 'post',
    path: '/subscriptions/{id}/rotate-secret',
    operationId: 'rotateSecret',
    summary: 'A new signing secret; the previous one keeps signing for 24 hours',
    auth: true,
    pathParams: subscriptionIdPathSchema,
    responses: { 200: { description: 'The new secret.', schema: rotatedSecretSchema } },
    errors: READ_ERRORS,
  },
  {
    method: 'post',
    path: '/subscriptions/{id}/test',
    operationId: 'sendTestEvent',
    summary: 'Deliver a `switchyard.test` event to the endpoint',
    auth: true,
    pathParams: subscriptionIdPathSchema,
    responses: { 202: { description: 'One attempt queued.', schema: requestedAttemptSchema } },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'get',
    path: '/subscriptions/{id}/attempts',
    operationId: 'listAttempts',
    summary: "The endpoint's delivery attempts, newest first",
    auth: true,
    pathParams: subscriptionIdPathSchema,
    query: pageQuerySchema,
    responses: { 200: { description: 'One page.', schema: attemptPageSchema } },
    errors: READ_ERRORS,
  },
  {
    method: 'post',
    path: '/subscriptions/{id}/resend/{eventId}',
    operationId: 'resendMessage',
    summary: 'Deliver one event to this endpoint again (one attempt, same webhook-id)',
    auth: true,
    pathParams: resendPathSchema,
    responses: { 202: { description: 'One attempt queued.', schema: requestedAttemptSchema } },
    errors: [400, 401, 403, 404, 409],
  },
  {
    method: 'post',
    path: '/subscriptions/{id}/recover',
    operationId: 'recoverMessages',
    summary: 'Send again every failed, exhausted or held message since a time',
    auth: true,
    pathParams: subscriptionIdPathSchema,
    requestBody: { content: { 'application/json': recoverRequestSchema } },
    responses: { 202: { description: 'How many attempts were queued.', schema: recoverResponseSchema } },
    errors: [400, 401, 403, 404, 409, 415],
  },
  {
    method: 'get',
    path: '/events/{id}/deliveries',
    operationId: 'listEventDeliveries',
    summary: "One event's deliveries: a message per subscription with every attempt",
    auth: true,
    pathParams: eventIdPathSchema,
    responses: { 200: { description: 'The deliveries.', schema: eventDeliveriesSchema } },
    errors: READ_ERRORS,
  },
  {
    method: 'get',
    path: '/delivery/openapi.json',
    operationId: 'getDeliveryOpenApiDocument',
    summary: 'This document (no authentication)',
    auth: false,
    responses: { 200: { description: 'OpenAPI 3.1.', schema: z.record(z.string(), z.unknown()) } },
    errors: [],
  },
];
