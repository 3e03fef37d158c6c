import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export interface HttpEventInput {
  method?: string;
  /** Request path, e.g. '/events/42'. */
  path?: string;
  /** Route key as API Gateway reports it; defaults to `${method} ${path}`. */
  routeKey?: string;
  /** A string is sent as is; anything else is JSON-encoded with a JSON content type. */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  pathParameters?: Record<string, string>;
  isBase64Encoded?: boolean;
}

/** An API Gateway HTTP API payload 2.0 event, shaped like the ones Lambda receives. */
export function httpEvent(input: HttpEventInput = {}): APIGatewayProxyEventV2 {
  const method = input.method ?? 'GET';
  const path = input.path ?? '/';
  const headers: Record<string, string> = { host: 'api.example.test', 'user-agent': 'jest' };
  let body: string | undefined;
  if (typeof input.body === 'string') body = input.body;
  else if (input.body !== undefined) {
    body = JSON.stringify(input.body);
    headers['content-type'] = 'application/json';
  }
  // API Gateway lowercases header names; tests pass them in any case to exercise lookups.
  Object.assign(headers, input.headers);
  const query = input.query;
  const rawQueryString = query ? new URLSearchParams(query).toString() : '';
  return {
    version: '2.0',
    routeKey: input.routeKey ?? `${method} ${path}`,
    rawPath: path,
    rawQueryString,
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    ...(input.pathParameters ? { pathParameters: input.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api123',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'jest' },
      requestId: 'apigw-request-id',
      routeKey: input.routeKey ?? `${method} ${path}`,
      stage: '$default',
      time: '01/Jan/2026:00:00:00 +0000',
      timeEpoch: 1767225600000,
    },
    ...(body === undefined ? {} : { body }),
    isBase64Encoded: input.isBase64Encoded ?? false,
  };
}

/** Captures what the Powertools logger writes (info to stdout, warn/error to stderr). */
export function captureLogs() {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : String(chunk));
    return true;
  };
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(record);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(record);
  return {
    text: () => chunks.join(''),
    entries: (): Record<string, unknown>[] =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}
