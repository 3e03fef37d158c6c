/**
 * The HTTP gateway and function host together, running the fixture service's real handlers.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import { FunctionHost } from '../../../src/runner/host/function-host';
import { HttpGateway, routesFromServices } from '../../../src/runner/gateway/http-gateway';
import { copyFixture, fixtureResources, fixtureService, MapRegistry } from './helpers';

const ISSUER = 'https://issuer.switchyard.test';

describe('HTTP gateway with the function host', () => {
  let host: FunctionHost;
  let gateway: HttpGateway;
  let url: string;
  let jwksServer: Server;
  let privateKey: jose.KeyLike;
  let otherKey: jose.KeyLike;
  const logs: string[] = [];

  beforeAll(async () => {
    // A parent-only variable the functions must not see.
    process.env.SWITCHYARD_TEST_SENTINEL = 'parent-only';
    const service = await fixtureService();
    const registry = new MapRegistry('sample', fixtureResources());
    host = new FunctionHost({
      services: [service],
      registry,
      endpoints: { sqs: 'http://127.0.0.1:4566' },
      log: (name, line) => logs.push(`${name}: ${line}`),
    });

    const pair = await jose.generateKeyPair('RS256');
    privateKey = pair.privateKey;
    otherKey = (await jose.generateKeyPair('RS256')).privateKey;
    const jwk = { ...(await jose.exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((req, res) => {
      res.writeHead(req.url === '/.well-known/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', () => r()));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;

    gateway = new HttpGateway({
      invoker: host,
      routes: routesFromServices([service], registry),
      jwks: (issuer) => (issuer === ISSUER ? new URL(jwksUrl) : new URL(`${issuer}/.well-known/jwks.json`)),
      log: (line) => logs.push(line),
    });
    gateway.addRoute('GET', '/status', () => ({ body: { status: 'ok' } }));
    ({ url } = await gateway.start());
  });

  afterAll(async () => {
    delete process.env.SWITCHYARD_TEST_SENTINEL;
    await gateway?.stop();
    await host?.stop();
    await new Promise((r) => jwksServer?.close(r));
  });

  async function token(
    claims: Record<string, unknown>,
    key: jose.KeyLike = privateKey,
    expiresIn: string | null = '5m',
    issuedAt: number | null = Math.floor(Date.now() / 1000),
  ): Promise<string> {
    const jwt = new jose.SignJWT({ token_use: 'id', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER);
    if (issuedAt !== null) jwt.setIssuedAt(issuedAt);
    if (expiresIn !== null) jwt.setExpirationTime(expiresIn);
    return jwt.sign(key);
  }

  it('GET /hello/world answers 200 with the path parameter', async () => {
    const res = await fetch(`${url}/hello/world?x=1`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('apigw-requestid')).toBeTruthy();
    expect(await res.json()).toEqual({ message: 'hello world', query: 'x=1' });
  });

  it('builds the payload 2.0 event and maps statusCode, headers and cookies back', async () => {
    const res = await fetch(`${url}/echo?a=1&a=2&b=x%20y`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'c1=v1; c2=v2', 'x-multi': 'one' },
      body: JSON.stringify({ hello: 'there' }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-echo')).toBe('yes');
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    const event = (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /echo',
      rawPath: '/echo',
      rawQueryString: 'a=1&a=2&b=x%20y',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { a: '1,2', b: 'x y' },
      body: '{"hello":"there"}',
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        domainName: '127.0.0.1',
        http: { method: 'POST', path: '/echo', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        routeKey: 'POST /echo',
        stage: '$default',
      },
    });
    expect(event.headers['x-multi']).toBe('one');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.pathParameters).toBeUndefined();
    expect(typeof event.requestContext.timeEpoch).toBe('number');
    expect(event.requestContext.time).toMatch(/^\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  });

  it('base64-encodes binary bodies and matches greedy routes with ANY', async () => {
    const res = await fetch(`${url}/proxy/a/b/c`, {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([0, 1, 2, 255]),
    });
    const event = (await res.json()) as {
      isBase64Encoded: boolean;
      body: string;
      pathParameters: unknown;
      routeKey: string;
    };
    expect(event.routeKey).toBe('ANY /proxy/{proxy+}');
    expect(event.pathParameters).toEqual({ proxy: 'a/b/c' });
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body, 'base64')).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('reads chunked bodies and passes no body for an empty or absent one', async () => {
    // No Content-Length: the body comes chunked (Transfer-Encoding), and must still be read whole.
    const chunked = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('part one, '));
          controller.enqueue(new TextEncoder().encode('part two'));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    const chunkedEvent = (await chunked.json()) as { body?: string; headers: Record<string, string> };
    expect(chunkedEvent.headers['transfer-encoding']).toBe('chunked');
    expect(chunkedEvent.body).toBe('part one, part two');

    const empty = (await (
      await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '' })
    ).json()) as Record<string, unknown>;
    expect(empty.headers).toMatchObject({ 'content-length': '0' });
    expect(empty).not.toHaveProperty('body');
    expect(empty.isBase64Encoded).toBe(false);

    const absent = (await (await fetch(`${url}/echo`, { method: 'POST' })).json()) as Record<string, unknown>;
    expect(absent).not.toHaveProperty('body');
    // The connection stays usable after requests whose (empty) body was never read.
    expect((await fetch(`${url}/hello/after`)).status).toBe(200);
  });

  it('answers 404 like API Gateway when no route matches', async () => {
    const res = await fetch(`${url}/nowhere`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      message: 'Not Found',
      error: { code: 'route_not_found', message: 'Not Found', correlationId: expect.any(String) },
    });
    expect((await fetch(`${url}/hello/world`, { method: 'DELETE' })).status).toBe(404);
  });

  it('serves built-in routes only where no service route exists', async () => {
    expect(await (await fetch(`${url}/status`)).json()).toEqual({ status: 'ok' });
    expect(gateway.addRoute('GET', '/hello/{name}', () => ({ body: 'shadow' }))).toBe(false);
  });

  it('gives each function exactly its own environment', async () => {
    const a = (await (await fetch(`${url}/env/a`)).json()) as Record<string, unknown>;
    const b = (await (await fetch(`${url}/env/b`)).json()) as Record<string, unknown>;
    expect(a).toMatchObject({
      onlyIn: 'a',
      aValue: 'alpha',
      tableName: 'sample-local-items',
      functionName: 'sample-local-envA',
      memory: '256',
    });
    expect(b).toMatchObject({ onlyIn: 'b', aValue: null, functionName: 'sample-local-envB', memory: '512' });
    for (const seen of [a, b]) {
      expect(seen.sentinel).toBeNull();
      expect(seen.home).toBeNull();
      expect(seen.keys).not.toContain('PATH');
      expect(seen.keys).toEqual(
        expect.arrayContaining([
          'AWS_REGION',
          'AWS_LAMBDA_FUNCTION_NAME',
          'AWS_ENDPOINT_URL_SQS',
          'TZ',
          'LAMBDA_TASK_ROOT',
        ]),
      );
    }
    expect(b.keys).not.toContain('A_VALUE');
  });

  it('answers 500 when the handler throws, and keeps serving', async () => {
    const res = await fetch(`${url}/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      message: 'Internal Server Error',
      error: { code: 'internal_error', message: 'Internal Server Error', correlationId: expect.any(String) },
    });
    expect(logs.some((l) => l.includes('boom: this handler always fails'))).toBe(true);
    expect((await fetch(`${url}/boom`)).status).toBe(500);
    expect((await fetch(`${url}/hello/again`)).status).toBe(200);
  });

  it('times a hanging handler out after its Timeout, as a 500, and keeps serving', async () => {
    const started = Date.now();
    const [busy, idle, other] = await Promise.all([
      fetch(`${url}/slow?mode=busy`),
      fetch(`${url}/slow`),
      fetch(`${url}/hello/meanwhile`),
    ]);
    const elapsed = Date.now() - started;
    expect(other.status).toBe(200);
    expect(busy.status).toBe(500);
    expect(idle.status).toBe(500);
    expect(elapsed).toBeGreaterThanOrEqual(1900);
    expect(elapsed).toBeLessThan(4000);
    expect(logs.some((l) => l.includes('Sandbox.Timedout'))).toBe(true);
    expect((await fetch(`${url}/hello/after`)).status).toBe(200);
  });

  describe('JWT authorizer', () => {
    it('rejects a request without a token', async () => {
      const res = await fetch(`${url}/private/whoami`);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        message: 'Unauthorized',
        error: { code: 'unauthorized', message: 'Unauthorized', correlationId: expect.any(String) },
      });
    });

    it('accepts a valid token and passes its claims as strings', async () => {
      const jwt = await token({
        sub: 'user-1',
        aud: 'sample-audience',
        scope: 'read write',
        groups: ['a', 'b'],
      });
      const res = await fetch(`${url}/private/whoami`, { headers: { authorization: `Bearer ${jwt}` } });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { claims: Record<string, string>; scopes: string[] };
      expect(body.claims).toMatchObject({
        sub: 'user-1',
        aud: 'sample-audience',
        iss: ISSUER,
        groups: '[a b]',
      });
      expect(typeof body.claims.exp).toBe('string');
      expect(body.scopes).toEqual(['read', 'write']);
    });

    it("accepts Cognito access tokens' client_id as the audience", async () => {
      const jwt = await token({ sub: 'user-2', client_id: 'sample-audience', token_use: 'access' });
      expect((await fetch(`${url}/private/whoami`, { headers: { authorization: jwt } })).status).toBe(200);
    });

    it('rejects a wrong audience, an expired token and a foreign signature', async () => {
      const wrongAudience = await token({ sub: 'u', aud: 'someone-else' });
      const expired = await token({ sub: 'u', aud: 'sample-audience' }, privateKey, '-1m');
      const forged = await token({ sub: 'u', aud: 'sample-audience' }, otherKey);
      // What the services' own check refuses, the gateway refuses too (one function).
      const neverExpires = await token({ sub: 'u', aud: 'sample-audience' }, privateKey, null);
      const refreshToken = await token({ sub: 'u', aud: 'sample-audience', token_use: 'refresh' });
      const noTokenUse = await token({ sub: 'u', aud: 'sample-audience', token_use: undefined });
      const future = Math.floor(Date.now() / 1000) + 600;
      const fromTheFuture = await token({ sub: 'u', aud: 'sample-audience' }, privateKey, '1h', future);
      const noIat = await token({ sub: 'u', aud: 'sample-audience' }, privateKey, '5m', null);
      for (const jwt of [
        wrongAudience,
        expired,
        forged,
        'not-a-jwt',
        neverExpires,
        refreshToken,
        noTokenUse,
        fromTheFuture,
        noIat,
      ]) {
        const res = await fetch(`${url}/private/whoami`, { headers: { authorization: `Bearer ${jwt}` } });
        expect(res.status).toBe(401);
      }
    });
  });

  it('rejects bodies over the limit with 413', async () => {
    const small = new HttpGateway({ invoker: host, routes: gateway.routes(), bodyLimitBytes: 10 });
    const { url: smallUrl } = await small.start();
    try {
      const res = await fetch(`${smallUrl}/echo`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'x'.repeat(11),
      });
      expect(res.status).toBe(413);
      expect(
        (
          await fetch(`${smallUrl}/echo`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: 'ok',
          })
        ).status,
      ).toBe(201);
    } finally {
      await small.stop();
    }
  });
});

describe('edit and go', () => {
  let dir: string;
  let host: FunctionHost;
  let gateway: HttpGateway;

  afterAll(async () => {
    await gateway?.stop();
    await host?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves the new code on the next request after a handler file changes', async () => {
    dir = copyFixture();
    const service = await fixtureService(dir);
    const registry = new MapRegistry('sample', fixtureResources());
    host = new FunctionHost({ services: [service], registry, log: () => undefined });
    gateway = new HttpGateway({ invoker: host, routes: routesFromServices([service], registry) });
    const { url } = await gateway.start();

    expect(await (await fetch(`${url}/hello/one`)).json()).toMatchObject({ message: 'hello one' });
    writeFileSync(
      join(dir, 'src', 'handlers', 'hello.ts'),
      'export const handler = async (event: { pathParameters?: Record<string, string> }) => ({ message: `edited ${event.pathParameters?.name}` });\n',
    );
    // Sources are compared at most every 250 ms (so a busy function does not stat them per request).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await (await fetch(`${url}/hello/two`)).json()).toEqual({ message: 'edited two' });
  });

  it("gives the handler Lambda's context object", async () => {
    writeFileSync(
      join(dir, 'src', 'handlers', 'hello.ts'),
      [
        'export const handler = async (_event: unknown, context: Record<string, unknown> & { getRemainingTimeInMillis(): number }) => ({',
        '  ...context,',
        '  remaining: context.getRemainingTimeInMillis(),',
        '  now: Date.now(),',
        '});',
        '',
      ].join('\n'),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ids = new Set<string>();
    for (const name of ['one', 'two']) {
      const context = (await (await fetch(`${gateway.url}/hello/${name}`)).json()) as Record<string, unknown>;
      expect(context).toEqual({
        awsRequestId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
        functionName: 'sample-local-hello',
        functionVersion: '$LATEST',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:sample-local-hello',
        memoryLimitInMB: expect.stringMatching(/^\d+$/),
        logGroupName: '/aws/lambda/sample-local-hello',
        logStreamName: expect.stringMatching(/^local\/\[\$LATEST\]\w+$/),
        deadlineMs: expect.any(Number),
        callbackWaitsForEmptyEventLoop: true,
        remaining: expect.any(Number),
        now: expect.any(Number),
      });
      const deadline = context.deadlineMs as number;
      expect(deadline - (context.now as number)).toBeGreaterThan(0);
      expect(deadline - (context.now as number)).toBeLessThanOrEqual(
        host.describe('sample-local-hello')!.timeoutSeconds * 1000,
      );
      expect(context.remaining).toBeGreaterThan(0);
      ids.add(context.awsRequestId as string);
    }
    expect(ids.size).toBe(2);
  });
});
