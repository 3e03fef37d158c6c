/**
 * Builds ingest's OpenAPI 3.1 document from the route table and the zod schemas in
 * ../api-schemas.ts, the same objects the handlers validate with (zod 4's `z.toJSONSchema`, JSON
 * Schema draft 2020-12, which OpenAPI 3.1 uses as is). Named schemas become `components.schemas`
 * and are referenced with `$ref`; everything else is inlined.
 */
import { z } from 'zod';
import type { RouteSpec } from '../api-schemas';
import { namedSchemas, routes as defaultRoutes } from '../api-schemas';
import packageJson from '../../package.json';

/** The service's version: `SERVICE_VERSION` when the deployment sets one, else package.json's. */
export function serviceVersion(): string {
  return process.env.SERVICE_VERSION || packageJson.version;
}

type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema> } & Record<string, unknown>;
};

const REF_PREFIX = '#/components/schemas/';

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `validation_failed` (field details), `invalid_json`, `bad_request` or `invalid_cursor`.',
  401: 'Missing, malformed, unknown, revoked or expired API key.',
  402: 'The tenant has no active subscription.',
  403: "The key's role may not do this.",
  404: "No such event for this tenant (another tenant's event is indistinguishable from none).",
  409: 'Conflict with the current state (e.g. `lease_mismatch`).',
  413: 'Body too large (decided before parsing).',
  415: 'Unsupported Content-Type.',
  429: 'Rate limit (`rate_limited`) or monthly quota (`quota_exhausted`) exceeded.',
  500: 'A bug: `internal_error` with a correlation id.',
  503: 'A dependency does not answer.',
};

const HEADER_COMPONENTS: Record<string, { description: string; schema: JsonSchema }> = {
  'X-Request-ID': {
    description: 'Correlation id of the request (yours when you sent a valid one), also in error bodies.',
    schema: { type: 'string' },
  },
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
  'RateLimit-Limit': { description: 'Requests allowed in the current window.', schema: { type: 'integer' } },
  'RateLimit-Remaining': { description: 'Requests left in the current window.', schema: { type: 'integer' } },
  'RateLimit-Reset': { description: 'Seconds until the window resets.', schema: { type: 'integer' } },
};

function stripMeta(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function buildComponents(): {
  schemas: Record<string, JsonSchema>;
  refOf: (schema: z.ZodType) => string | undefined;
} {
  const registry = z.registry<{ id: string }>();
  const ids = new Map<z.ZodType, string>();
  for (const [id, schema] of Object.entries(namedSchemas)) {
    registry.add(schema, { id });
    ids.set(schema, id);
  }
  const generated = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `${REF_PREFIX}${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  const schemas: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) schemas[id] = stripMeta(schema);
  return { schemas, refOf: (schema) => ids.get(schema) };
}

export function buildOpenApiDocument(
  options: { version: string; routes?: readonly RouteSpec[]; serverUrl?: string } = { version: '0.0.0' },
): OpenApiDocument {
  const { schemas, refOf } = buildComponents();
  const schemaFor = (schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema => {
    const id = refOf(schema);
    if (id) return { $ref: `${REF_PREFIX}${id}` };
    return stripMeta(
      z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema,
    );
  };
  const headerRefs = (names: readonly string[]) =>
    Object.fromEntries(names.map((name) => [name, { $ref: `#/components/headers/${name}` }]));

  const parameters = (route: RouteSpec) => {
    const out: Record<string, unknown>[] = [];
    const add = (where: 'path' | 'query', object: z.ZodObject | undefined) => {
      if (!object) return;
      const json = z.toJSONSchema(object, {
        target: 'draft-2020-12',
        io: 'input',
        unrepresentable: 'any',
      }) as {
        properties?: Record<string, JsonSchema>;
        required?: string[];
      };
      for (const [name, property] of Object.entries(json.properties ?? {})) {
        const { description, ...schema } = property;
        out.push({
          name,
          in: where,
          required: where === 'path' || (json.required ?? []).includes(name),
          ...(typeof description === 'string' ? { description } : {}),
          schema,
        });
      }
    };
    add('path', route.pathParams);
    add('query', route.query);
    for (const [name, description] of Object.entries(route.headers ?? {})) {
      out.push({ name, in: 'header', required: false, description, schema: { type: 'string' } });
    }
    return out;
  };

  const operation = (route: RouteSpec) => {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      if (!response) continue;
      responses[status] = {
        description: response.description,
        headers: headerRefs(['X-Request-ID', ...(response.headers ?? [])]),
        ...(response.schema
          ? { content: { 'application/json': { schema: schemaFor(response.schema) } } }
          : {}),
      };
    }
    const errors = new Set<number>([...route.errors, ...(route.auth ? [500] : [])]);
    for (const status of [...errors].sort((a, b) => a - b)) {
      responses[String(status)] = { $ref: `#/components/responses/Error${status}` };
    }
    const params = parameters(route);
    return {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: ['ingest'],
      security: route.auth ? [{ apiKey: [] }] : [],
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(route.requestBody
        ? {
            requestBody: {
              required: true,
              content: Object.fromEntries(
                Object.entries(route.requestBody.content).map(([type, schema]) => [
                  type,
                  { schema: schemaFor(schema, 'input') },
                ]),
              ),
            },
          }
        : {}),
      responses,
    };
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of options.routes ?? defaultRoutes) {
    (paths[route.path] ??= {})[route.method] = operation(route);
  }

  const errorResponses = Object.fromEntries(
    Object.entries(ERROR_DESCRIPTIONS).map(([status, description]) => [
      `Error${status}`,
      {
        description,
        headers: headerRefs(
          status === '429'
            ? ['X-Request-ID', 'Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']
            : ['X-Request-ID'],
        ),
        content: { 'application/json': { schema: { $ref: `${REF_PREFIX}ErrorResponse` } } },
      },
    ]),
  );

  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard ingest API',
      version: options.version,
      description:
        'Producers publish events; consumers pull undelivered events from the inbox and acknowledge them. ' +
        'Every route but /status and /openapi.json takes `Authorization: Bearer <api key>`. Errors share one shape: ' +
        '`{ "error": { "code", "message", "details"?, "correlationId" } }`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: options.serverUrl ?? '/' }],
    security: [{ apiKey: [] }],
    tags: [{ name: 'ingest', description: 'The Triggers API' }],
    paths,
    components: {
      schemas,
      responses: errorResponses,
      headers: HEADER_COMPONENTS,
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'API key (sy_live_… / sy_test_…)',
          description: 'An API key issued by identity (POST /keys).',
        },
      },
    },
  };
}
