// The OpenAPI document is generated from the handlers' zod schemas: it must be a valid OpenAPI 3.1
// document, describe every route with its auth, bodies and answers, and the e2e client's generated
// types must match it (regenerate with `node scripts/run-ts.mjs services/ingest/scripts/openapi-types.ts`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from '@readme/openapi-parser';
import { documentedRoutes, openApiOperation } from '@switchyard/runtime/testing';
import { z } from 'zod';
import { buildOpenApiDocument } from '../../src/adapters/openapi';
import { inboxQuerySchema, namedSchemas, routes } from '../../src/api-schemas';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const OPENAPI_TYPES_PATH = join(REPO_ROOT, 'e2e', 'ingest', 'openapi-types.ts');

describe('GET /openapi.json document', () => {
  const document = buildOpenApiDocument({ version: '1.2.3' });
  const operation = (path: string, method: string) => openApiOperation(document, path, method);

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    // The parser dereferences in place: validate a copy.
    const result = await validate(structuredClone(document) as never);
    expect(result).toMatchObject({ valid: true });
  });

  it('describes every route of the route table, and only those', () => {
    const documented = documentedRoutes(document);
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort());
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /events',
        'POST /events/batch',
        'GET /inbox',
        'GET /events/{id}',
        'DELETE /events/{id}',
        'POST /events/{id}/release',
        'GET /status',
        'GET /openapi.json',
      ]),
    );
  });

  it('requires the bearer API key everywhere but /status and /openapi.json', () => {
    expect(document.components.securitySchemes).toEqual({
      apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    for (const route of routes) {
      const op = operation(route.path, route.method);
      expect([route.path, op.security]).toEqual([route.path, route.auth ? [{ apiKey: [] }] : []]);
    }
    expect(routes.filter((r) => !r.auth).map((r) => r.path)).toEqual(['/status', '/openapi.json']);
  });

  it('documents native and CloudEvents request bodies with the domain schemas', () => {
    expect(operation('/events', 'post').requestBody?.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/PublishEventRequest' } },
      'application/cloudevents+json': { schema: { $ref: '#/components/schemas/CloudEvent' } },
    });
    expect(Object.keys(operation('/events/batch', 'post').requestBody?.content ?? {})).toEqual([
      'application/json',
      'application/cloudevents-batch+json',
    ]);
    expect(document.components.schemas.PublishEventRequest).toMatchObject({
      required: ['event_type', 'payload'],
      additionalProperties: false,
      properties: { event_type: { type: 'string', minLength: 1, maxLength: 255 } },
    });
    // Every named zod schema is a component.
    expect(Object.keys(document.components.schemas).sort()).toEqual(Object.keys(namedSchemas).sort());
  });

  it('documents the inbox query from the same schema the handler validates with', () => {
    const params = operation('/inbox', 'get').parameters ?? [];
    expect(params.map((p) => [p.name, p.in, p.required])).toEqual([
      ['limit', 'query', false],
      ['cursor', 'query', false],
      ['lease_seconds', 'query', false],
    ]);
    const limit = z.toJSONSchema(inboxQuerySchema, { io: 'input' }) as {
      properties: Record<string, unknown>;
    };
    expect(params[0]).toMatchObject({ schema: limit.properties.limit });
    expect(params[0]).toMatchObject({ schema: { minimum: 1, maximum: 200, default: 50 } });
    expect(operation('/events/{id}', 'get').parameters).toEqual([
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    ]);
  });

  it('documents success answers and the one error shape', () => {
    const statuses = (path: string, method: string) => Object.keys(operation(path, method).responses);
    expect(statuses('/events', 'post')).toEqual([
      '202',
      '400',
      '401',
      '402',
      '403',
      '413',
      '415',
      '422',
      '429',
      '500',
    ]);
    expect(statuses('/events/batch', 'post')).toEqual(expect.arrayContaining(['202', '207', '413', '429']));
    expect(statuses('/events/{id}', 'get')).toEqual(expect.arrayContaining(['200', '404']));
    expect(statuses('/events/{id}', 'delete')).toEqual(expect.arrayContaining(['204', '404']));
    expect(statuses('/events/{id}/release', 'post')).toEqual(expect.arrayContaining(['204', '409']));
    expect(statuses('/status', 'get')).toEqual(['200', '503']);
    expect(operation('/events/{id}', 'delete').responses['204']).not.toHaveProperty('content');

    const error = document.components.schemas.ErrorResponse as {
      properties: { error: { required: string[]; properties: Record<string, unknown> } };
    };
    expect(error.properties.error.required.sort()).toEqual(['code', 'correlationId', 'message']);
    expect(Object.keys(error.properties.error.properties)).toContain('details');
    const responses = document.components.responses as Record<string, { content: unknown; headers: object }>;
    for (const status of ['400', '401', '402', '403', '404', '413', '429']) {
      expect(responses[`Error${status}`]?.content).toEqual({
        'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } },
      });
    }
    expect(Object.keys(responses.Error429?.headers ?? {})).toEqual(
      expect.arrayContaining(['Retry-After', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset']),
    );
  });

  it('carries the service version', () => {
    expect((document.info as { version: string }).version).toBe('1.2.3');
  });

  it('matches the committed client types (e2e/ingest/openapi-types.ts)', () => {
    const committed = readFileSync(OPENAPI_TYPES_PATH, 'utf8');
    // In a child process: openapi-typescript's dependencies are ES modules, which jest cannot require.
    const generated = execFileSync(
      process.execPath,
      [
        join(REPO_ROOT, 'scripts', 'run-ts.mjs'),
        join(REPO_ROOT, 'services', 'ingest', 'scripts', 'openapi-types.ts'),
        '--stdout',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(generated).toBe(committed);
  });
});
