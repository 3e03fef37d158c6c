/**
 * Ingest's OpenAPI 3.1 document: its texts for the runtime's `generateOpenApiDocument`, which builds
 * it from the route table and the zod schemas in ../api-schemas.ts, the same objects the handlers
 * validate with.
 */
import { generateOpenApiDocument } from '@switchyard/runtime';
import type { OpenApiBuildOptions, OpenApiDocument, OpenApiSpec } from '@switchyard/runtime';
import type { ErrorStatus } from '../api-schemas';
import { namedSchemas, routes } from '../api-schemas';
import packageJson from '../../package.json';

export type { OpenApiDocument };

/** The service's version: `SERVICE_VERSION` when the deployment sets one, else package.json's. */
export function serviceVersion(): string {
  return process.env.SERVICE_VERSION || packageJson.version;
}

const INGEST_API: OpenApiSpec<ErrorStatus> = {
  title: 'Switchyard ingest API',
  description:
    'Producers publish events; consumers pull undelivered events from the inbox and acknowledge them. ' +
    'Every route but /status and /openapi.json takes `Authorization: Bearer <api key>`. Errors share one shape: ' +
    '`{ "error": { "code", "message", "details"?, "correlationId" } }`.',
  tag: { name: 'ingest', description: 'The Triggers API' },
  securityScheme: {
    name: 'apiKey',
    scheme: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'API key (sy_live_… / sy_test_…)',
      description: 'An API key issued by identity (POST /keys).',
    },
  },
  namedSchemas,
  routes,
  errorDescriptions: {
    400: 'Invalid request: `validation_failed` (field details), `invalid_json`, `bad_request` or `invalid_cursor`.',
    401: 'Missing, malformed, unknown, revoked or expired API key.',
    402: 'The tenant has no active subscription.',
    403: "The key's role may not do this.",
    404: "No such event for this tenant (another tenant's event is indistinguishable from none).",
    409: 'Conflict with the current state (e.g. `lease_mismatch`).',
    413: 'Body too large (decided before parsing).',
    415: 'Unsupported Content-Type.',
    422: '`idempotency_key_reused`: the idempotency key was used for an event with other content.',
    429: 'Rate limit (`rate_limited`) or monthly quota (`quota_exhausted`) exceeded.',
    500: 'A bug: `internal_error` with a correlation id.',
    503: 'A dependency does not answer.',
  },
  errorHeaders: { 429: ['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] },
  responseHeaders: {
    'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
    'RateLimit-Limit': {
      description: 'Requests allowed in the current window.',
      schema: { type: 'integer' },
    },
    'RateLimit-Remaining': {
      description: 'Requests left in the current window.',
      schema: { type: 'integer' },
    },
    'RateLimit-Reset': { description: 'Seconds until the window resets.', schema: { type: 'integer' } },
  },
};

export function buildOpenApiDocument(
  options: OpenApiBuildOptions<ErrorStatus> = { version: '0.0.0' },
): OpenApiDocument {
  return generateOpenApiDocument(INGEST_API, options);
}
