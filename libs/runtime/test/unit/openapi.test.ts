// generateOpenApiDocument turns a route table and named zod schemas into a valid OpenAPI 3.1
// document: named schemas by $ref, shared error responses, header components, the security scheme.
import { validate } from '@readme/openapi-parser';
import { z } from 'zod';
import { generateOpenApiDocument } from '../../src/openapi';
import type { OpenApiSpec, RouteSpec } from '../../src/openapi';

const errorResponseSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), correlationId: z.string() }),
});
const widgetSchema = z.object({ id: z.string(), name: z.string() });
const createWidgetSchema = z.object({ name: z.string().min(1) });

const routes: readonly RouteSpec<400 | 401 | 429>[] = [
  {
    method: 'post',
    path: '/widgets/{id}',
    operationId: 'createWidget',
    summary: 'Create a widget',
    auth: true,
    pathParams: z.object({ id: z.string().describe('The widget id.') }),
    query: z.object({ dryRun: z.string().optional() }),
    headers: { 'Idempotency-Key': 'Same key → the original widget.' },
    requestBody: { content: { 'application/json': createWidgetSchema } },
    responses: { 201: { description: 'Created.', schema: widgetSchema, headers: ['RateLimit-Limit'] } },
    errors: [400, 401, 429],
  },
  {
    method: 'get',
    path: '/status',
    operationId: 'getStatus',
    summary: 'Liveness',
    auth: false,
    responses: { 204: { description: 'Alive.' } },
    errors: [],
  },
];

const spec: OpenApiSpec<400 | 401 | 429> = {
  title: 'Widgets API',
  description: 'Makes widgets.',
  tag: { name: 'widgets', description: 'Widgets' },
  namedSchemas: { ErrorResponse: errorResponseSchema, Widget: widgetSchema },
  routes,
  errorDescriptions: { 400: 'Invalid.', 401: 'Who are you?', 429: 'Slow down.', 500: 'A bug.' },
  errorHeaders: { 429: ['Retry-After'] },
  responseHeaders: {
    'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } },
    'RateLimit-Limit': { description: 'Requests per window.', schema: { type: 'integer' } },
  },
  securityScheme: { name: 'apiKey', scheme: { type: 'http', scheme: 'bearer' } },
};
const build = () => generateOpenApiDocument(spec, { version: '1.2.3', serverUrl: 'https://api.example.com' });

describe('generateOpenApiDocument', () => {
  const document = build();
  const op = document.paths['/widgets/{id}']?.post as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document).toMatchObject({
      openapi: '3.1.0',
      info: { title: 'Widgets API', version: '1.2.3', description: 'Makes widgets.' },
      servers: [{ url: 'https://api.example.com' }],
      security: [{ apiKey: [] }],
      tags: [{ name: 'widgets', description: 'Widgets' }],
    });
    // The parser dereferences in place: validate a copy.
    const result = await validate(structuredClone(document) as never);
    expect(result).toMatchObject({ valid: true });
  });

  it('puts named schemas in components and references them; inlines the rest', () => {
    expect(Object.keys(document.components.schemas).sort()).toEqual(['ErrorResponse', 'Widget']);
    expect(document.components.schemas.Widget).toMatchObject({ type: 'object', required: ['id', 'name'] });
    expect(op.responses['201'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Widget',
    });
    expect(op.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      properties: { name: { type: 'string', minLength: 1 } },
    });
  });

  it('documents path, query and header parameters', () => {
    expect(op.parameters).toEqual([
      { name: 'id', in: 'path', required: true, description: 'The widget id.', schema: { type: 'string' } },
      { name: 'dryRun', in: 'query', required: false, schema: { type: 'string' } },
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Same key → the original widget.',
        schema: { type: 'string' },
      },
    ]);
  });

  it('refers errors to shared responses with the ErrorResponse body, 500 on authenticated routes', () => {
    expect(op.tags).toEqual(['widgets']);
    expect(op.security).toEqual([{ apiKey: [] }]);
    expect(Object.keys(op.responses)).toEqual(['201', '400', '401', '429', '500']);
    expect(op.responses['429']).toEqual({ $ref: '#/components/responses/Error429' });
    expect(document.components.responses).toMatchObject({
      Error400: {
        description: 'Invalid.',
        headers: { 'X-Request-ID': { $ref: '#/components/headers/X-Request-ID' } },
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
      },
      Error429: {
        description: 'Slow down.',
        headers: {
          'X-Request-ID': { $ref: '#/components/headers/X-Request-ID' },
          'Retry-After': { $ref: '#/components/headers/Retry-After' },
        },
      },
    });
    const status = document.paths['/status']?.get as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(status.security).toEqual([]);
    expect(Object.keys(status.responses)).toEqual(['204']);
  });

  it('has X-Request-ID and the given header components, referenced from the answers', () => {
    expect(Object.keys(document.components.headers as object)).toEqual([
      'X-Request-ID',
      'Retry-After',
      'RateLimit-Limit',
    ]);
    expect(op.responses['201'].headers).toEqual({
      'X-Request-ID': { $ref: '#/components/headers/X-Request-ID' },
      'RateLimit-Limit': { $ref: '#/components/headers/RateLimit-Limit' },
    });
    expect(document.components.securitySchemes).toEqual({ apiKey: { type: 'http', scheme: 'bearer' } });
  });

  it("documents the given routes instead of the spec's when the build options have some", () => {
    const only = generateOpenApiDocument(spec, { version: '1', routes: routes.slice(1) });
    expect(Object.keys(only.paths)).toEqual(['/status']);
  });

  it('refuses named schemas without ErrorResponse', () => {
    expect(() =>
      generateOpenApiDocument(
        {
          title: 'x',
          description: 'x',
          tag: { name: 'x', description: 'x' },
          namedSchemas: { Widget: widgetSchema },
          routes: [],
          errorDescriptions: { 500: 'A bug.' },
          securityScheme: { name: 'apiKey', scheme: { type: 'http', scheme: 'bearer' } },
        },
        { version: '0' },
      ),
    ).toThrow(/ErrorResponse/);
  });
});
