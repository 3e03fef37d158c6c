// GET /delivery/openapi.json is generated from the handlers' zod schemas: a valid OpenAPI 3.1
// document describing every route of the route table with its auth, bodies and answers.
import { validate } from '@readme/openapi-parser';
import { documentedRoutes, openApiOperation } from '@switchyard/runtime/testing';
import { buildOpenApiDocument } from '../../../src/adapters/openapi';
import { routes } from '../../../src/api-schemas';

describe('GET /delivery/openapi.json document', () => {
  const document = buildOpenApiDocument({ version: '1.2.3' });
  const operation = (path: string, method: string) => openApiOperation(document, path, method);

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document) as never);
    expect(result).toMatchObject({ valid: true });
  });

  it('describes every route of the issue', () => {
    const documented = documentedRoutes(document);
    expect(documented.sort()).toEqual(
      [
        'POST /subscriptions',
        'GET /subscriptions',
        'GET /subscriptions/{id}',
        'PATCH /subscriptions/{id}',
        'DELETE /subscriptions/{id}',
        'POST /subscriptions/{id}/rotate-secret',
        'POST /subscriptions/{id}/test',
        'GET /subscriptions/{id}/attempts',
        'POST /subscriptions/{id}/resend/{eventId}',
        'POST /subscriptions/{id}/recover',
        'GET /events/{id}/deliveries',
        'GET /delivery/openapi.json',
      ].sort(),
    );
  });

  it('requires the bearer credential everywhere but the document itself', () => {
    for (const route of routes) {
      const op = operation(route.path, route.method);
      expect([route.path, op.security]).toEqual([route.path, route.auth ? [{ bearer: [] }] : []]);
      if (route.auth)
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403', '500']));
    }
  });

  it('shows the secret only in the create and rotate answers', () => {
    const schemas = document.components.schemas;
    expect(JSON.stringify(schemas.Subscription)).not.toContain('"secret"');
    expect(schemas.CreatedSubscription).toMatchObject({ properties: { secret: expect.anything() } });
    expect(schemas.RotatedSecret).toMatchObject({ properties: { secret: expect.anything() } });
    expect(
      operation('/subscriptions', 'post').responses['201']?.content?.['application/json']?.schema,
    ).toEqual({
      $ref: '#/components/schemas/CreatedSubscription',
    });
  });

  it('documents path and query parameters', () => {
    const resend = operation('/subscriptions/{id}/resend/{eventId}', 'post');
    expect(resend.parameters?.map((p) => [p.name, p.in, p.required])).toEqual([
      ['id', 'path', true],
      ['eventId', 'path', true],
    ]);
    const attempts = operation('/subscriptions/{id}/attempts', 'get');
    expect(attempts.parameters?.map((p) => [p.name, p.in])).toEqual([
      ['id', 'path'],
      ['limit', 'query'],
      ['cursor', 'query'],
    ]);
  });
});
