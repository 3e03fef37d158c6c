/**
 * Builds delivery's OpenAPI 3.1 document (served at GET /delivery/openapi.json) from the route table
 * and the zod schemas in ../api-schemas.ts, the same objects the handlers validate with (zod 4's `z.toJSONSchema`, JSON
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
  401: "Missing, malformed, unknown, revoked or expired API key, or an invalid person's token.",
  403: 'Authenticated, but not a tenant admin (an API key whose role is not `admin`, or a person outside `Admins`).',
  404: "No such subscription or event for this tenant (another tenant's is indistinguishable from none).",
  409: 'Conflict with the current state (e.g. `endpoint_disabled`).',
  415: 'Unsupported Content-Type.',
  500: 'A bug: `internal_error` with a correlation id.',
};

const HEADER_COMPONENTS: Record<string, { description: string; schema: JsonSchema }> = {
  'X-Request-ID': {
    description: 'Correlation id of the request (yours when you sent a valid one), also in error bodies.',
    schema: { type: 'string' },
  },
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
    return out;
  };

  const operation = (route: RouteSpec) => {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      if (!response) continue;
      responses[status] = {
        description: response.description,
        headers: headerRefs(['X-Request-ID']),
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
      tags: ['delivery'],
      security: route.auth ? [{ bearer: [] }] : [],
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
        headers: headerRefs(['X-Request-ID']),
        content: { 'application/json': { schema: { $ref: `${REF_PREFIX}ErrorResponse` } } },
      },
    ]),
  );

  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchyard delivery API',
      version: options.version,
      description:
        'Tenant admins subscribe webhook endpoints to event types and see every delivery attempt. Deliveries ' +
        'follow Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). Every route but ' +
        'this document takes `Authorization: Bearer <admin API key or person id token>`. Errors share one ' +
        'shape: `{ "error": { "code", "message", "details"?, "correlationId" } }`.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: options.serverUrl ?? '/' }],
    security: [{ bearer: [] }],
    tags: [{ name: 'delivery', description: 'Webhook subscriptions and deliveries' }],
    paths,
    components: {
      schemas,
      responses: errorResponses,
      headers: HEADER_COMPONENTS,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            "An API key with the `admin` role (identity's POST /keys), or the id token of a person in the " +
            "tenant's `Admins` group (identity's POST /auth/verify).",
        },
      },
    },
  };
}
