/**
 * Delivery's OpenAPI 3.1 document (served at GET /delivery/openapi.json): its texts for the
 * runtime's `generateOpenApiDocument`, which builds it from the route table and the zod schemas in
 * ../api-schemas.ts, the same objects the handlers validate with.
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

const DELIVERY_API: OpenApiSpec<ErrorStatus> = {
  title: 'Switchyard delivery API',
  description:
    'Tenant admins subscribe webhook endpoints to event types and see every delivery attempt. Deliveries ' +
    'follow Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). Every route but ' +
    'this document takes `Authorization: Bearer <admin API key or person id token>`. Errors share one ' +
    'shape: `{ "error": { "code", "message", "details"?, "correlationId" } }`.',
  tag: { name: 'delivery', description: 'Webhook subscriptions and deliveries' },
  securityScheme: {
    name: 'bearer',
    scheme: {
      type: 'http',
      scheme: 'bearer',
      description:
        "An API key with the `admin` role (identity's POST /keys), or the id token of a person in the " +
        "tenant's `Admins` group (identity's POST /auth/verify).",
    },
  },
  namedSchemas,
  routes,
  errorDescriptions: {
    400: 'Invalid request: `validation_failed` (field details), `invalid_json`, `bad_request` or `invalid_cursor`.',
    401: "Missing, malformed, unknown, revoked or expired API key, or an invalid person's token.",
    403: 'Authenticated, but not a tenant admin (an API key whose role is not `admin`, or a person outside `Admins`).',
    404: "No such subscription or event for this tenant (another tenant's is indistinguishable from none).",
    409: 'Conflict with the current state (e.g. `endpoint_disabled`).',
    415: 'Unsupported Content-Type.',
    500: 'A bug: `internal_error` with a correlation id.',
  },
};

export function buildOpenApiDocument(
  options: OpenApiBuildOptions<ErrorStatus> = { version: '0.0.0' },
): OpenApiDocument {
  return generateOpenApiDocument(DELIVERY_API, options);
}
