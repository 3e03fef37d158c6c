import {
  buildHttpApiEvent,
  compileRoute,
  headersOf,
  InvalidLambdaResponse,
  isTextContentType,
  matchRoute,
  requestTime,
  toHttpResponse,
} from '../../../src/runner/gateway/http-api';

const route = (routeKey: string) => {
  if (routeKey === '$default') return { routeKey, method: 'ANY' };
  const [method, path] = routeKey.split(' ') as [string, string];
  return { routeKey, method, path };
};

describe('route selection', () => {
  // The example from the API Gateway HTTP API documentation, plus a $default.
  const routes = [
    'GET /pets/dog/1',
    'GET /pets/dog/{id}',
    'GET /pets/{proxy+}',
    'ANY /{proxy+}',
    '$default',
  ].map((k) => compileRoute(route(k)));
  const select = (method: string, path: string, from = routes) => matchRoute(from, method, path);

  it('prefers an exact match, then a path variable, then a greedy variable, then $default', () => {
    expect(select('GET', '/pets/dog/1')?.route.routeKey).toBe('GET /pets/dog/1');
    expect(select('GET', '/pets/dog/2')).toEqual({
      route: expect.objectContaining({ routeKey: 'GET /pets/dog/{id}' }),
      pathParameters: { id: '2' },
    });
    expect(select('GET', '/pets/cat/1')).toEqual({
      route: expect.objectContaining({ routeKey: 'GET /pets/{proxy+}' }),
      pathParameters: { proxy: 'cat/1' },
    });
    expect(select('POST', '/pets/dog/1')?.route.routeKey).toBe('ANY /{proxy+}');
    expect(select('GET', '/')?.route.routeKey).toBe('$default');
  });

  it('prefers the exact method over ANY on the same path', () => {
    const set = ['ANY /items/{id}', 'GET /items/{id}'].map((k) => compileRoute(route(k)));
    expect(select('GET', '/items/1', set)?.route.routeKey).toBe('GET /items/{id}');
    expect(select('DELETE', '/items/1', set)?.route.routeKey).toBe('ANY /items/{id}');
  });

  it('prefers literal segments from the left', () => {
    const set = ['GET /{a}/fixed', 'GET /fixed/{b}'].map((k) => compileRoute(route(k)));
    expect(select('GET', '/fixed/fixed', set)?.route.routeKey).toBe('GET /fixed/{b}');
  });

  it('decodes path parameters and needs every segment', () => {
    const set = [compileRoute(route('GET /hello/{name}'))];
    expect(select('GET', '/hello/w%20x', set)?.pathParameters).toEqual({ name: 'w x' });
    expect(select('GET', '/hello', set)).toBeUndefined();
    expect(select('GET', '/hello/a/b', set)).toBeUndefined();
    expect(select('GET', '/hello/', set)).toBeUndefined();
    expect(select('POST', '/hello/a', set)).toBeUndefined();
  });

  it('does not match a greedy variable with nothing to hold', () => {
    const set = [compileRoute(route('GET /files/{proxy+}'))];
    expect(select('GET', '/files', set)).toBeUndefined();
    expect(select('GET', '/files/a/b.txt', set)?.pathParameters).toEqual({ proxy: 'a/b.txt' });
  });
});

describe('payload 2.0 event', () => {
  const now = new Date(Date.UTC(2020, 2, 12, 19, 3, 58, 390));
  const base = {
    method: 'post',
    rawHeaders: [
      'Host',
      'api.example.com:3000',
      'X-Dup',
      'a',
      'x-dup',
      'b',
      'Cookie',
      'c1=v1; c2=v2',
      'User-Agent',
      'curl/8',
      'Content-Type',
      'application/json',
    ],
    sourceIp: '10.0.0.1',
    protocol: 'HTTP/1.1',
  };

  it('is built exactly', () => {
    const event = buildHttpApiEvent(
      { ...base, url: '/my/path?p1=v1&p1=v2&p2=v', body: Buffer.from('{"a":1}') },
      { routeKey: 'POST /my/{x}', pathParameters: { x: 'path' }, apiId: 'api', requestId: 'req-1', now },
    );
    expect(event).toEqual({
      version: '2.0',
      routeKey: 'POST /my/{x}',
      rawPath: '/my/path',
      rawQueryString: 'p1=v1&p1=v2&p2=v',
      cookies: ['c1=v1', 'c2=v2'],
      headers: {
        host: 'api.example.com:3000',
        'x-dup': 'a,b',
        'user-agent': 'curl/8',
        'content-type': 'application/json',
      },
      queryStringParameters: { p1: 'v1,v2', p2: 'v' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'api',
        domainName: 'api.example.com',
        domainPrefix: 'api',
        http: {
          method: 'POST',
          path: '/my/path',
          protocol: 'HTTP/1.1',
          sourceIp: '10.0.0.1',
          userAgent: 'curl/8',
        },
        requestId: 'req-1',
        routeKey: 'POST /my/{x}',
        stage: '$default',
        time: '12/Mar/2020:19:03:58 +0000',
        timeEpoch: now.getTime(),
      },
      body: '{"a":1}',
      pathParameters: { x: 'path' },
      isBase64Encoded: false,
    });
  });

  it('omits what is absent and base64-encodes binary bodies', () => {
    const event = buildHttpApiEvent(
      { ...base, rawHeaders: ['Content-Type', 'image/png'], url: '/x', body: Buffer.from([1, 2, 3]) },
      { routeKey: '$default', apiId: 'api', now, jwt: { claims: { sub: 'u' }, scopes: null } },
    );
    expect(event.cookies).toBeUndefined();
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.pathParameters).toBeUndefined();
    expect(event.rawQueryString).toBe('');
    expect(event.isBase64Encoded).toBe(true);
    expect(event.body).toBe(Buffer.from([1, 2, 3]).toString('base64'));
    expect(event.requestContext.authorizer).toEqual({ jwt: { claims: { sub: 'u' }, scopes: null } });
    const empty = buildHttpApiEvent(
      { ...base, url: '/x', body: Buffer.alloc(0) },
      { routeKey: '$default', apiId: 'api' },
    );
    expect(empty.body).toBeUndefined();
    expect(empty.isBase64Encoded).toBe(false);
  });

  it('keeps the JSON key order, and takes over headers the caller already built', () => {
    const context = {
      routeKey: 'POST /my/{x}',
      pathParameters: { x: 'path' },
      apiId: 'api',
      requestId: 'req-1',
      now,
      jwt: { claims: { sub: 'u' }, scopes: null },
    };
    const request = { ...base, url: '/my/path?p=1', body: Buffer.from('{"a":1}') };
    const event = buildHttpApiEvent(request, context);
    // The order the function sees when it serialises the event (as API Gateway sends it).
    expect(Object.keys(event)).toEqual([
      'version',
      'routeKey',
      'rawPath',
      'rawQueryString',
      'cookies',
      'headers',
      'queryStringParameters',
      'requestContext',
      'pathParameters',
      'isBase64Encoded',
      'body',
    ]);
    expect(Object.keys(event.requestContext)).toEqual([
      'accountId',
      'apiId',
      'authorizer',
      'domainName',
      'domainPrefix',
      'http',
      'requestId',
      'routeKey',
      'stage',
      'time',
      'timeEpoch',
    ]);
    const headers = headersOf(base.rawHeaders);
    const prebuilt = buildHttpApiEvent({ ...request, headers }, context);
    expect(JSON.stringify(prebuilt)).toBe(JSON.stringify(event));
    expect(prebuilt.headers).toBe(headers);
    expect(headers.cookie).toBeUndefined();
    // Different hosts in a row each get their own domain name.
    const other = buildHttpApiEvent(
      { ...request, rawHeaders: ['Host', 'other.example.org'] },
      { routeKey: '$default', apiId: 'api', now },
    );
    expect(other.requestContext.domainName).toBe('other.example.org');
    expect(other.requestContext.domainPrefix).toBe('other');
    expect(buildHttpApiEvent(request, context).requestContext.domainName).toBe('api.example.com');
  });

  it('treats text, JSON and XML as text and everything else as binary', () => {
    for (const t of [
      'text/plain',
      'application/json; charset=utf-8',
      'application/vnd.api+json',
      'application/xml',
      'image/svg+xml',
    ]) {
      expect(isTextContentType(t)).toBe(true);
    }
    for (const t of [
      undefined,
      'application/octet-stream',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'image/png',
    ]) {
      expect(isTextContentType(t)).toBe(false);
    }
  });

  it('joins duplicate headers with commas and formats the request time', () => {
    expect(headersOf(['A', '1', 'a', '2', 'B', '3'])).toEqual({ a: '1,2', b: '3' });
    expect(requestTime(new Date(Date.UTC(2024, 0, 5, 1, 2, 3)))).toBe('05/Jan/2024:01:02:03 +0000');
    // Within a second the formatted time is reused; the next second (or any other) is formatted anew.
    expect(requestTime(new Date(Date.UTC(2024, 0, 5, 1, 2, 3, 999)))).toBe('05/Jan/2024:01:02:03 +0000');
    expect(requestTime(new Date(Date.UTC(2024, 0, 5, 1, 2, 4)))).toBe('05/Jan/2024:01:02:04 +0000');
    expect(requestTime(new Date(Date.UTC(1999, 11, 31, 23, 59, 59, 500)))).toBe('31/Dec/1999:23:59:59 +0000');
    expect(requestTime(new Date(Date.UTC(2024, 0, 5, 1, 2, 4, 1)))).toBe('05/Jan/2024:01:02:04 +0000');
  });
});

describe('result mapping', () => {
  it('turns a value without statusCode into 200 JSON', () => {
    expect(toHttpResponse({ a: 1 })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from('{"a":1}'),
    });
    expect(toHttpResponse('hello').body.toString()).toBe('hello');
    expect(toHttpResponse([1]).body.toString()).toBe('[1]');
    expect(toHttpResponse(null).body.toString()).toBe('null');
  });

  it('takes statusCode, headers, cookies and base64 bodies from a response object', () => {
    const response = toHttpResponse({
      statusCode: 302,
      headers: { Location: '/x', 'X-N': 1 },
      cookies: ['a=1'],
      body: Buffer.from('hi').toString('base64'),
      isBase64Encoded: true,
    });
    expect(response).toEqual({
      statusCode: 302,
      headers: { location: '/x', 'x-n': '1' },
      cookies: ['a=1'],
      body: Buffer.from('hi'),
    });
    expect(toHttpResponse({ statusCode: 204 }).body.length).toBe(0);
  });

  it('rejects what API Gateway rejects', () => {
    expect(() => toHttpResponse({ statusCode: 200, body: { a: 1 } })).toThrow(InvalidLambdaResponse);
    expect(() => toHttpResponse({ statusCode: 'abc' })).toThrow(InvalidLambdaResponse);
  });
});
