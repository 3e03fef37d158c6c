import { z } from 'zod';
import { conflict, tooManyRequests, unauthorized } from '../../src/errors';
import { createHttpHandler, jsonResponse } from '../../src/http-handler';
import { logger } from '../../src/logger';
import { lambdaContext } from '../../src/testing';
import { captureLogs, httpEvent } from '../support/http-event';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const createEvent = createHttpHandler({
  body: z.object({ name: z.string().min(1), payload: z.object({ amount: z.number().int() }) }),
  path: z.object({ tenantId: z.string().regex(/^t_/) }),
  query: z.object({ dryRun: z.enum(['true', 'false']).optional() }),
  maxBodyBytes: 1024,
  handler: async ({ body, path, query, correlationId }) =>
    jsonResponse(201, {
      id: 'evt_1',
      name: body.name.toUpperCase(),
      amount: body.payload.amount,
      tenantId: path.tenantId,
      dryRun: query.dryRun === 'true',
      correlationId,
    }),
});

function post(body: unknown, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  return httpEvent({
    method: 'POST',
    path: '/tenants/t_1/events',
    routeKey: 'POST /tenants/{tenantId}/events',
    pathParameters: { tenantId: 't_1' },
    body,
    headers,
    ...extra,
  });
}

function parse(body: string | undefined): unknown {
  return JSON.parse(body ?? 'null');
}

let logs: ReturnType<typeof captureLogs>;
beforeEach(() => {
  logs = captureLogs();
});
afterEach(() => {
  logs.restore();
  jest.restoreAllMocks();
});

describe('successful requests', () => {
  it('parses, validates and types the inputs and returns JSON', async () => {
    const res = await createEvent(
      post({ name: 'order', payload: { amount: 3 } }, {}, { query: { dryRun: 'true' } }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(201);
    expect(res.headers?.['Content-Type']).toMatch(/^application\/json/);
    expect(parse(res.body)).toEqual({
      id: 'evt_1',
      name: 'ORDER',
      amount: 3,
      tenantId: 't_1',
      dryRun: true,
      correlationId: res.headers?.['X-Request-ID'],
    });
  });

  it('decodes base64 bodies', async () => {
    const json = JSON.stringify({ name: 'b64', payload: { amount: 7 } });
    const event = post(Buffer.from(json).toString('base64'), { 'content-type': 'application/json' });
    event.isBase64Encoded = true;
    const res = await createEvent(event, lambdaContext());
    expect(res.statusCode).toBe(201);
    expect(parse(res.body)).toMatchObject({ name: 'B64', amount: 7 });
  });

  it('sends 204 without a body or content type', async () => {
    const handler = createHttpHandler({
      handler: async () => ({ statusCode: 204, body: { ignored: true } }),
    });
    const res = await handler(httpEvent({ method: 'DELETE', path: '/x' }), lambdaContext());
    expect(res.statusCode).toBe(204);
    expect(res.body).toBeUndefined();
    expect(res.headers?.['Content-Type']).toBeUndefined();
  });

  it('adds security headers, letting the handler override Cache-Control only by its own choice', async () => {
    const handler = createHttpHandler({
      handler: async () => jsonResponse(200, { ok: true }, { 'cache-control': 'max-age=60', ETag: '"1"' }),
    });
    const res = await handler(httpEvent(), lambdaContext());
    expect(res.headers).toMatchObject({
      'Strict-Transport-Security': expect.stringContaining('max-age='),
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Content-Security-Policy': expect.stringContaining("default-src 'none'"),
      'cache-control': 'max-age=60',
      ETag: '"1"',
    });
    // Merged case-insensitively: no duplicate Cache-Control under another spelling.
    expect(res.headers?.['Cache-Control']).toBeUndefined();
  });

  it('sends Cache-Control: no-store by default', async () => {
    const handler = createHttpHandler({ handler: async () => jsonResponse(200, {}) });
    const res = await handler(httpEvent(), lambdaContext());
    expect(res.headers?.['Cache-Control']).toBe('no-store');
  });
});

describe('correlation id', () => {
  const echo = createHttpHandler({
    handler: async ({ correlationId }) => jsonResponse(200, { correlationId }),
  });

  it('echoes a valid X-Request-ID, whatever the header case', async () => {
    const res = await echo(httpEvent({ headers: { 'X-REQUEST-ID': 'client-req_42:a.b' } }), lambdaContext());
    expect(res.headers?.['X-Request-ID']).toBe('client-req_42:a.b');
    expect(parse(res.body)).toEqual({ correlationId: 'client-req_42:a.b' });
  });

  it('generates a UUID when the header is absent', async () => {
    const res = await echo(httpEvent(), lambdaContext());
    expect(res.headers?.['X-Request-ID']).toMatch(UUID);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['with spaces', 'abc def'],
    ['with a newline (header injection)', 'abc\r\nSet-Cookie: x=1'],
    ['empty', ''],
  ])('replaces an id that is %s with a UUID', async (_label, value) => {
    const res = await echo(httpEvent({ headers: { 'x-request-id': value } }), lambdaContext());
    expect(res.headers?.['X-Request-ID']).toMatch(UUID);
  });

  it('accepts an id of exactly 128 characters', async () => {
    const id = 'b'.repeat(128);
    const res = await echo(httpEvent({ headers: { 'x-request-id': id } }), lambdaContext());
    expect(res.headers?.['X-Request-ID']).toBe(id);
  });

  it('echoes the id on errors, in the header and the body', async () => {
    const res = await createEvent(post({ name: '' }, { 'x-request-id': 'err-1' }), lambdaContext());
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['X-Request-ID']).toBe('err-1');
    expect(parse(res.body)).toMatchObject({ error: { correlationId: 'err-1' } });
  });

  it('generates the id on errors too', async () => {
    const res = await createEvent(post('{not json', { 'content-type': 'application/json' }), lambdaContext());
    expect(res.statusCode).toBe(400);
    const id = res.headers?.['X-Request-ID'];
    expect(id).toMatch(UUID);
    expect(parse(res.body)).toMatchObject({ error: { correlationId: id } });
  });

  it('puts the id on log lines of the invocation and removes it afterwards', async () => {
    const handler = createHttpHandler({
      handler: async ({ logger }) => {
        logger.info('inside');
        return jsonResponse(200, {});
      },
    });
    await handler(httpEvent({ headers: { 'x-request-id': 'log-corr-1' } }), lambdaContext());
    const inside = logs.entries().find((e) => e.message === 'inside');
    expect(inside?.correlationId).toBe('log-corr-1');

    logger.info('after the invocation');
    const after = logs.entries().find((e) => e.message === 'after the invocation');
    expect(after).toBeDefined();
    expect(after).not.toHaveProperty('correlationId');
  });
});

describe('body handling failures', () => {
  it('answers invalid JSON with 400 invalid_json in the exact error shape', async () => {
    const res = await createEvent(
      post('{"name": "x",', { 'content-type': 'application/json', 'x-request-id': 'r1' }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(400);
    expect(res.headers?.['Content-Type']).toMatch(/^application\/json/);
    expect(parse(res.body)).toStrictEqual({
      error: { code: 'invalid_json', message: 'Request body is not valid JSON', correlationId: 'r1' },
    });
  });

  it('answers schema failures with 400 validation_failed and field details from every input', async () => {
    const event = post(
      { name: '', payload: { amount: 1.5 } },
      { 'x-request-id': 'r2' },
      { pathParameters: { tenantId: 'nope' }, query: { dryRun: 'maybe' } },
    );
    const res = await createEvent(event, lambdaContext());
    expect(res.statusCode).toBe(400);
    const body = parse(res.body) as { error: { details: { path: string; message: string }[] } };
    expect(body).toStrictEqual({
      error: {
        code: 'validation_failed',
        message: 'Request validation failed',
        details: expect.any(Array),
        correlationId: 'r2',
      },
    });
    expect(body.error.details.map((d) => d.path).sort()).toEqual([
      'name',
      'path.tenantId',
      'payload.amount',
      'query.dryRun',
    ]);
    for (const detail of body.error.details) expect(Object.keys(detail).sort()).toEqual(['message', 'path']);
  });

  it('reports a missing body as a validation failure', async () => {
    const res = await createEvent(post(undefined), lambdaContext());
    expect(res.statusCode).toBe(400);
    expect(parse(res.body)).toMatchObject({ error: { code: 'validation_failed' } });
  });

  it('answers a non-JSON content type with 415', async () => {
    const res = await createEvent(post('name=x', { 'content-type': 'text/plain' }), lambdaContext());
    expect(res.statusCode).toBe(415);
    expect(parse(res.body)).toMatchObject({
      error: { code: 'unsupported_media_type', correlationId: expect.stringMatching(UUID) },
    });
  });

  it('accepts JSON content types with parameters and +json suffixes', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/merge-patch+json']) {
      const body = JSON.stringify({ name: 'n', payload: { amount: 1 } });
      const res = await createEvent(post(body, { 'content-type': type }), lambdaContext());
      expect(res.statusCode).toBe(201);
    }
  });

  it('answers an oversized body with 413 before parsing it (huge invalid JSON gets 413, not 400)', async () => {
    const parseSpy = jest.spyOn(JSON, 'parse');
    const res = await createEvent(
      post('{' + 'x'.repeat(5000), { 'content-type': 'application/json' }),
      lambdaContext(),
    );
    expect(res.statusCode).toBe(413);
    expect(parseSpy).not.toHaveBeenCalled();
    parseSpy.mockRestore();
    expect(parse(res.body)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('measures base64 bodies by their decoded size', async () => {
    const fits = JSON.stringify({ name: 'n'.repeat(900), payload: { amount: 1 } }); // < 1024 bytes decoded
    const encoded = Buffer.from(fits).toString('base64'); // > 1024 characters encoded
    expect(encoded.length).toBeGreaterThan(1024);
    const event = post(encoded, { 'content-type': 'application/json' });
    event.isBase64Encoded = true;
    expect((await createEvent(event, lambdaContext())).statusCode).toBe(201);

    const tooBig = post(Buffer.from('x'.repeat(1025)).toString('base64'), {
      'content-type': 'application/json',
    });
    tooBig.isBase64Encoded = true;
    expect((await createEvent(tooBig, lambdaContext())).statusCode).toBe(413);
  });

  it('applies maxBodyBytes even without a body schema', async () => {
    const handler = createHttpHandler({ maxBodyBytes: 10, handler: async () => jsonResponse(200, {}) });
    const res = await handler(httpEvent({ method: 'POST', body: 'x'.repeat(11) }), lambdaContext());
    expect(res.statusCode).toBe(413);
  });

  it('accepts a body of exactly maxBodyBytes and says the limit when refusing one byte more', async () => {
    const handler = createHttpHandler({ maxBodyBytes: 10, handler: async () => jsonResponse(200, {}) });
    const fits = await handler(httpEvent({ method: 'POST', body: 'x'.repeat(10) }), lambdaContext());
    expect(fits.statusCode).toBe(200);
    const res = await handler(httpEvent({ method: 'POST', body: 'é'.repeat(6) }), lambdaContext());
    expect(res.statusCode).toBe(413);
    expect(parse(res.body)).toMatchObject({
      error: { code: 'payload_too_large', message: 'Request body exceeds 10 bytes' },
    });
  });

  it('trusts the larger of the declared Content-Length and the body length', async () => {
    const handler = createHttpHandler({ maxBodyBytes: 10, handler: async () => jsonResponse(200, {}) });
    const declared = httpEvent({ method: 'POST', body: 'x', headers: { 'Content-Length': '11' } });
    expect((await handler(declared, lambdaContext())).statusCode).toBe(413);
    const honest = httpEvent({ method: 'POST', body: 'x', headers: { 'content-length': ' 1 ' } });
    expect((await handler(honest, lambdaContext())).statusCode).toBe(200);
  });

  it('answers 400 for a Content-Length that is not a number, only where the size is bounded', async () => {
    const bounded = createHttpHandler({ maxBodyBytes: 10, handler: async () => jsonResponse(200, {}) });
    const event = httpEvent({ method: 'POST', body: 'x', headers: { 'content-length': '12abc' } });
    const res = await bounded(event, lambdaContext());
    expect(res.statusCode).toBe(400);
    expect(parse(res.body)).toMatchObject({
      error: { code: 'bad_request', details: [{ path: 'headers.content-length' }] },
    });
    const unbounded = createHttpHandler({ handler: async () => jsonResponse(200, {}) });
    expect((await unbounded(event, lambdaContext())).statusCode).toBe(200);
  });
});

describe('errors thrown by handlers', () => {
  it('turns an HttpError into its status, shape and headers', async () => {
    const handler = createHttpHandler({
      handler: async () => {
        throw tooManyRequests({ retryAfterSeconds: 30, limit: 100, remaining: 0 });
      },
    });
    const res = await handler(httpEvent({ headers: { 'x-request-id': 'rl-1' } }), lambdaContext());
    expect(res.statusCode).toBe(429);
    expect(res.headers).toMatchObject({
      'Retry-After': '30',
      'RateLimit-Limit': '100',
      'RateLimit-Remaining': '0',
      'X-Request-ID': 'rl-1',
      'X-Content-Type-Options': 'nosniff',
    });
    expect(parse(res.body)).toStrictEqual({
      error: { code: 'rate_limited', message: 'Too many requests', correlationId: 'rl-1' },
    });
  });

  it('keeps details of an HttpError', async () => {
    const handler = createHttpHandler({
      handler: async () => {
        throw conflict('Already exists', { details: { id: 'evt_1' } });
      },
    });
    const res = await handler(httpEvent({ headers: { 'x-request-id': 'c-1' } }), lambdaContext());
    expect(res.statusCode).toBe(409);
    expect(parse(res.body)).toStrictEqual({
      error: { code: 'conflict', message: 'Already exists', details: { id: 'evt_1' }, correlationId: 'c-1' },
    });
  });

  it('answers a bug with a generic 500 and logs the real error with its stack', async () => {
    const handler = createHttpHandler({
      handler: async () => {
        throw new TypeError('secret table arn:aws:dynamodb:eu-west-1:1:table/x is broken');
      },
    });
    const res = await handler(httpEvent({ headers: { 'x-request-id': 'bug-1' } }), lambdaContext());
    expect(res.statusCode).toBe(500);
    expect(res.headers?.['X-Request-ID']).toBe('bug-1');
    expect(parse(res.body)).toStrictEqual({
      error: { code: 'internal_error', message: 'Internal server error', correlationId: 'bug-1' },
    });
    expect(res.body).not.toContain('secret');

    const errorLine = logs.entries().find((e) => e.level === 'ERROR');
    expect(errorLine).toMatchObject({ correlationId: 'bug-1' });
    const logged = errorLine?.error as { message: string; stack: string } | undefined;
    expect(logged?.message).toContain('secret table');
    expect(logged?.stack).toContain('TypeError');
    // Logged once, by the HTTP boundary, not again by the base middleware.
    expect(logs.entries().filter((e) => e.level === 'ERROR')).toHaveLength(1);
  });

  it('answers 500, never an empty 200 or a 404, when a handler returns nothing', async () => {
    const handler = createHttpHandler({
      handler: (async () => undefined) as unknown as () => Promise<{ statusCode: number }>,
    });
    const res = await handler(httpEvent(), lambdaContext());
    expect(res.statusCode).toBe(500);
    expect(parse(res.body)).toMatchObject({ error: { code: 'internal_error' } });
  });
});

describe('request logging', () => {
  it('writes one info line per request with method, route, status and latency', async () => {
    await createEvent(
      post({ name: 'n', payload: { amount: 1 } }, { 'x-request-id': 'log-1' }),
      lambdaContext(),
    );
    const lines = logs.entries().filter((e) => e.message === 'http request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      method: 'POST',
      route: 'POST /tenants/{tenantId}/events',
      status: 201,
      latencyMs: expect.any(Number),
      correlationId: 'log-1',
    });
  });

  it('includes the error code on failed requests', async () => {
    await createEvent(post('{', { 'content-type': 'application/json' }), lambdaContext());
    const line = logs.entries().find((e) => e.message === 'http request');
    expect(line).toMatchObject({ status: 400, errorCode: 'invalid_json' });
  });

  it('never logs credentials or bodies, even when the request fails', async () => {
    const secrets = {
      authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.SECRET-TOKEN',
      'x-api-key': 'sk_live_APIKEYVALUE',
    };
    await createEvent(post({ name: 'BODY-MARKER', payload: { amount: 1 } }, secrets), lambdaContext());
    await createEvent(post({ name: 'BODY-MARKER' }, secrets), lambdaContext());
    const failing = createHttpHandler({
      handler: async () => {
        throw new Error('boom');
      },
    });
    await failing(httpEvent({ headers: secrets, query: { api_key: 'QUERYKEY' } }), lambdaContext());

    const text = logs.text();
    expect(text).toContain('http request'); // the capture did see the log lines
    expect(text).not.toContain('SECRET-TOKEN');
    expect(text).not.toContain('APIKEYVALUE');
    expect(text).not.toContain('QUERYKEY');
    expect(text).not.toContain('BODY-MARKER');
  });
});

describe('CORS', () => {
  // The HTTP API's CorsConfiguration is the one source of CORS (API Gateway ignores CORS headers a
  // function returns); the gateway's behaviour is tested in libs/local-cloud (cors.test.ts).
  it('sets no CORS headers of its own, whatever the origin', async () => {
    const handler = createHttpHandler({ handler: async () => jsonResponse(200, {}) });
    const res = await handler(httpEvent({ headers: { origin: 'https://app.example.com' } }), lambdaContext());
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.headers ?? {}).filter((name) => /^access-control-|^vary$/i.test(name))).toEqual(
      [],
    );
  });

  it('leaves an OPTIONS request that reaches a function to its handler', async () => {
    const inner = jest.fn(async () => jsonResponse(405, { no: true }));
    const handler = createHttpHandler({ handler: inner });
    const res = await handler(httpEvent({ method: 'OPTIONS' }), lambdaContext());
    expect(inner).toHaveBeenCalledTimes(1);
    expect(res.statusCode).toBe(405);
  });
});

describe('authenticate', () => {
  const guarded = createHttpHandler({
    body: z.object({ name: z.string().min(1) }),
    query: z.object({ limit: z.coerce.number().int().max(10).optional() }),
    maxBodyBytes: 64,
    authenticate: async ({ headers }) => {
      if (headers.authorization !== 'Bearer good') throw unauthorized('Missing or invalid API key');
      return { tenantId: 't_1' };
    },
    handler: async ({ caller, body }) => jsonResponse(200, { tenantId: caller.tenantId, name: body.name }),
  });

  it('answers 401 before looking at the request, so an anonymous caller learns nothing of its shape', async () => {
    const res = await guarded(post({ name: '' }, {}, { query: { limit: '999' } }), lambdaContext());
    expect(res.statusCode).toBe(401);
    expect((parse(res.body) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('still decides 413 first: the size needs no credentials and nothing is parsed', async () => {
    const res = await guarded(post('x'.repeat(100)), lambdaContext());
    expect(res.statusCode).toBe(413);
  });

  it('validates after authenticating and hands the caller to the handler', async () => {
    const bad = await guarded(post({ name: '' }, { Authorization: 'Bearer good' }), lambdaContext());
    expect(bad.statusCode).toBe(400);
    const ok = await guarded(post({ name: 'n' }, { Authorization: 'Bearer good' }), lambdaContext());
    expect(parse(ok.body)).toEqual({ tenantId: 't_1', name: 'n' });
  });
});
