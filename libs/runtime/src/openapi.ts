/**
 * Builds a service's OpenAPI 3.1 document from its route table and the zod schemas its handlers
 * validate with (zod 4's `z.toJSONSchema`, JSON Schema draft 2020-12, which OpenAPI 3.1 uses as is).
 * Named schemas become `components.schemas` and are referenced with `$ref`; everything else is
 * inlined. Error answers are shared `components.responses` (`Error<status>`, all with the
 * `ErrorResponse` body) and response headers are `components.headers`, `X-Request-ID` on every
 * answer. The service supplies its texts, routes, schemas and security scheme.
 */
import { z } from 'zod';
import { CORRELATION_ID_HEADER } from './middleware';

export type JsonSchema = Record<string, unknown>;

export type OpenApiDocument = Record<string, unknown> & {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema> } & Record<string, unknown>;
};

export interface RouteResponse {
  description: string;
  /** Content by media type; absent for bodiless answers (204). */
  schema?: z.ZodType;
  /** Names of documented response headers besides `X-Request-ID` (keys of `responseHeaders`). */
  headers?: readonly string[];
}

/** One route of a service's route table. `TErrorStatus` narrows the documented error statuses. */
export interface RouteSpec<TErrorStatus extends number = number> {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** false: no `Authorization` (e.g. a status route, the document itself). */
  auth: boolean;
  pathParams?: z.ZodObject;
  query?: z.ZodObject;
  /** Request headers worth documenting (name → description). */
  headers?: Record<string, string>;
  requestBody?: { content: Record<string, z.ZodType>; description?: string };
  responses: Partial<Record<number, RouteResponse>>;
  /** Error answers (all with the ErrorResponse body); routes with `auth` also get 500. */
  errors: readonly TErrorStatus[];
}

export interface OpenApiHeader {
  description: string;
  schema: JsonSchema;
}

/** What a service's document says: its texts, schemas, default routes and security scheme. */
export interface OpenApiSpec<TErrorStatus extends number = number> {
  title: string;
  description: string;
  /** The one tag every operation carries. */
  tag: { name: string; description: string };
  /** The security scheme routes with `auth` require, by its name in `components.securitySchemes`. */
  securityScheme: { name: string; scheme: Record<string, unknown> };
  /** Schemas referenced by `$ref` (name → schema); must include `ErrorResponse`. */
  namedSchemas: Record<string, z.ZodType>;
  /** The route table (`OpenApiBuildOptions.routes` replaces it). */
  routes: readonly RouteSpec<TErrorStatus>[];
  /** Description of every error status the routes use (500 included). */
  errorDescriptions: Record<TErrorStatus | 500, string>;
  /** Extra headers (keys of `responseHeaders`) on some error answers, besides `X-Request-ID`. */
  errorHeaders?: Partial<Record<TErrorStatus, readonly string[]>>;
  /** Documented response headers besides `X-Request-ID` (name → description and schema). */
  responseHeaders?: Record<string, OpenApiHeader>;
}

/** What varies per build: the version (e.g. `SERVICE_VERSION`), and for tests the routes and server. */
export interface OpenApiBuildOptions<TErrorStatus extends number = number> {
  version: string;
  routes?: readonly RouteSpec<TErrorStatus>[];
  /** Defaults to `/`. */
  serverUrl?: string;
}

/**
 * The zod schemas of the platform's one error body, `{ "error": { code, message, details?,
 * correlationId } }`, and of one entry of its `details`: a service puts them in `namedSchemas` as
 * `ErrorResponse` and `FieldError`. The examples are the field paths and codes the service's own
 * API answers with, named in the schemas' descriptions.
 */
export function errorResponseSchemas(examples: { fieldPaths: readonly string[]; codes: readonly string[] }) {
  const quoted = (items: readonly string[]) => items.map((item) => `\`${item}\``).join(', ');
  const fieldErrorSchema = z
    .object({ path: z.string(), message: z.string() })
    .describe(`One field-level problem: where (e.g. ${quoted(examples.fieldPaths)}) and what.`);
  const errorResponseSchema = z
    .object({
      error: z.object({
        code: z.string().describe(`Stable machine-readable code, e.g. ${quoted(examples.codes)}.`),
        message: z.string().describe('Human-readable; never echoes submitted values.'),
        details: z.union([z.array(fieldErrorSchema), z.record(z.string(), z.unknown())]).optional(),
        correlationId: z
          .string()
          .describe('Also in the `X-Request-ID` response header; quote it in support requests.'),
      }),
    })
    .describe('Every error answer of every Switchyard API.');
  return { fieldErrorSchema, errorResponseSchema };
}

const REF_PREFIX = '#/components/schemas/';
const ERROR_SCHEMA = 'ErrorResponse';

const CORRELATION_HEADER: OpenApiHeader = {
  description: 'Correlation id of the request (yours when you sent a valid one), also in error bodies.',
  schema: { type: 'string' },
};

function stripMeta(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

function buildComponents(namedSchemas: Record<string, z.ZodType>): {
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

export function generateOpenApiDocument<TErrorStatus extends number>(
  spec: OpenApiSpec<TErrorStatus>,
  options: OpenApiBuildOptions<TErrorStatus>,
): OpenApiDocument {
  if (!(ERROR_SCHEMA in spec.namedSchemas)) {
    throw new Error(`generateOpenApiDocument: namedSchemas must include ${ERROR_SCHEMA}`);
  }
  const { schemas, refOf } = buildComponents(spec.namedSchemas);
  const schemaFor = (schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema => {
    const id = refOf(schema);
    if (id) return { $ref: `${REF_PREFIX}${id}` };
    return stripMeta(
      z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema,
    );
  };
  const headerRefs = (names: readonly string[]) =>
    Object.fromEntries(
      [CORRELATION_ID_HEADER, ...names].map((name) => [name, { $ref: `#/components/headers/${name}` }]),
    );
  const security = () => [{ [spec.securityScheme.name]: [] }];

  const parameters = (route: RouteSpec<TErrorStatus>) => {
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

  const operation = (route: RouteSpec<TErrorStatus>) => {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      if (!response) continue;
      responses[status] = {
        description: response.description,
        headers: headerRefs(response.headers ?? []),
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
      tags: [spec.tag.name],
      security: route.auth ? security() : [],
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
  for (const route of options.routes ?? spec.routes) {
    (paths[route.path] ??= {})[route.method] = operation(route);
  }

  const errorHeaders: Partial<Record<number, readonly string[]>> = spec.errorHeaders ?? {};
  const errorResponses = Object.fromEntries(
    Object.entries<string>(spec.errorDescriptions).map(([status, description]) => [
      `Error${status}`,
      {
        description,
        headers: headerRefs(errorHeaders[Number(status)] ?? []),
        content: { 'application/json': { schema: { $ref: `${REF_PREFIX}${ERROR_SCHEMA}` } } },
      },
    ]),
  );

  return {
    openapi: '3.1.0',
    info: {
      title: spec.title,
      version: options.version,
      description: spec.description,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: options.serverUrl ?? '/' }],
    security: security(),
    tags: [spec.tag],
    paths,
    components: {
      schemas,
      responses: errorResponses,
      headers: { [CORRELATION_ID_HEADER]: CORRELATION_HEADER, ...spec.responseHeaders },
      securitySchemes: { [spec.securityScheme.name]: spec.securityScheme.scheme },
    },
  };
}
