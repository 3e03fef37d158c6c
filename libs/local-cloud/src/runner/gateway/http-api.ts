/**
 * API Gateway HTTP API behaviour, without I/O: route selection, the payload format 2.0 event, and
 * how a Lambda result becomes an HTTP response.
 */
import { randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID } from '../../types';

export interface RouteSpec {
  /** Upper-case method or ANY. */
  method: string;
  /** `/hello/{name}`, `/files/{proxy+}`; undefined for `$default`. */
  path?: string;
  routeKey: string;
}

type Segment =
  { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'greedy'; name: string };

export interface CompiledRoute<T extends RouteSpec = RouteSpec> {
  route: T;
  segments: Segment[];
  isDefault: boolean;
}

export interface RouteMatch<T extends RouteSpec = RouteSpec> {
  route: T;
  pathParameters?: Record<string, string>;
}

export function compileRoute<T extends RouteSpec>(route: T): CompiledRoute<T> {
  if (route.routeKey === '$default' || route.path === undefined)
    return { route, segments: [], isDefault: true };
  const segments: Segment[] = splitPath(route.path).map((part) => {
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy?.[1]) return { kind: 'greedy', name: greedy[1] };
    const param = /^\{(.+)\}$/.exec(part);
    if (param?.[1]) return { kind: 'param', name: param[1] };
    return { kind: 'literal', value: part };
  });
  return { route, segments, isDefault: false };
}

function splitPath(path: string): string[] {
  return path.split('/').filter((part, index) => index > 0 || part !== '');
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Selects a route the way HTTP APIs do: a full match (literal segments beating `{param}` ones, from
 * the left) wins over a greedy `{proxy+}` match, which wins over `$default`; at equal paths a
 * route for the exact method wins over ANY.
 */
export function matchRoute<T extends RouteSpec>(
  routes: CompiledRoute<T>[],
  method: string,
  rawPath: string,
): RouteMatch<T> | undefined {
  const parts = splitPath(rawPath);
  let best: { match: RouteMatch<T>; score: number[] } | undefined;
  let fallback: T | undefined;
  for (const compiled of routes) {
    const { route } = compiled;
    if (route.method !== 'ANY' && route.method !== method.toUpperCase()) continue;
    if (compiled.isDefault) {
      fallback ??= route;
      continue;
    }
    const result = matchSegments(compiled.segments, parts);
    if (!result) continue;
    const score = [...result.score, route.method === 'ANY' ? 0 : 1];
    if (!best || compareScores(score, best.score) > 0) {
      best = { match: { route, pathParameters: result.params }, score };
    }
  }
  if (best) return best.match;
  return fallback ? { route: fallback } : undefined;
}

function matchSegments(
  segments: Segment[],
  parts: string[],
): { params?: Record<string, string>; score: number[] } | undefined {
  const params: Record<string, string> = {};
  // Score: greedy or not first (a full match beats a greedy one), then per segment literal(2) > param(1).
  const perSegment: number[] = [];
  let greedy = false;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.every((p) => p === '')) return undefined;
      params[segment.name] = decode(rest.join('/'));
      greedy = true;
      break;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (segment.value !== part) return undefined;
      perSegment.push(2);
    } else {
      if (part === '') return undefined;
      params[segment.name] = decode(part);
      perSegment.push(1);
    }
  }
  if (!greedy && parts.length !== segments.length) return undefined;
  return {
    params: Object.keys(params).length > 0 ? params : undefined,
    score: [greedy ? 0 : 1, ...perSegment, greedy ? 0 : 3],
  };
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const diff = (a[i] ?? -1) - (b[i] ?? -1);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** Content types HTTP APIs pass as text; any other body arrives base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return (
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript' ||
    type === 'application/graphql'
  );
}

export interface IncomingHttpRequest {
  method: string;
  /** Path and query exactly as received, e.g. `/hello/w%20x?a=1&a=2`. */
  url: string;
  /** Node's rawHeaders: [name, value, name, value, ...]. */
  rawHeaders: string[];
  /**
   * `headersOf(rawHeaders)` when the caller already has it (the gateway builds it once per request);
   * the event takes it over (its cookie header moves to `cookies`).
   */
  headers?: Record<string, string>;
  body: Buffer;
  sourceIp: string;
  protocol: string;
}

export interface HttpApiEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    accountId: string;
    apiId: string;
    authorizer?: { jwt: { claims: Record<string, string>; scopes: string[] | null } };
    domainName: string;
    domainPrefix: string;
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    requestId: string;
    routeKey: string;
    stage: string;
    time: string;
    timeEpoch: number;
  };
  body?: string;
  pathParameters?: Record<string, string>;
  isBase64Encoded: boolean;
  stageVariables?: Record<string, string>;
}

/** Lower-cased headers, duplicates joined with commas, as payload 2.0 carries them. */
export function headersOf(rawHeaders: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The last second formatted by requestTime: requests in the same second share the string. */
let lastTime = { second: Number.NaN, text: '' };

/** `12/Mar/2020:19:03:58 +0000`, the format of requestContext.time. */
export function requestTime(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second === lastTime.second) return lastTime.text;
  const pad = (n: number) => String(n).padStart(2, '0');
  const text =
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
  if (!Number.isNaN(second)) lastTime = { second, text };
  return text;
}

export interface EventContext {
  routeKey: string;
  pathParameters?: Record<string, string>;
  apiId: string;
  requestId?: string;
  now?: Date;
  jwt?: { claims: Record<string, string>; scopes: string[] | null };
}

let lastHost = { host: '', domainName: '' };

/** The Host header without its port (one host in practice: the last one is remembered). */
function domainNameOf(host: string): string {
  if (host === lastHost.host) return lastHost.domainName;
  const domainName = host.replace(/:\d+$/, '');
  lastHost = { host, domainName };
  return domainName;
}

export function buildHttpApiEvent(request: IncomingHttpRequest, context: EventContext): HttpApiEvent {
  const queryIndex = request.url.indexOf('?');
  const rawPath = queryIndex >= 0 ? request.url.slice(0, queryIndex) : request.url;
  const rawQueryString = queryIndex >= 0 ? request.url.slice(queryIndex + 1) : '';
  const headers = request.headers ?? headersOf(request.rawHeaders);
  // Payload 2.0 moves cookies out of the headers into their own array.
  const cookieHeader = headers.cookie;
  if (cookieHeader !== undefined) delete headers.cookie;
  const cookies = cookieHeader
    ?.split(/[;,]/)
    .map((c) => c.trim())
    .filter((c) => c !== '');

  let queryStringParameters: Record<string, string> | undefined;
  if (rawQueryString !== '') {
    queryStringParameters = {};
    for (const [key, value] of new URLSearchParams(rawQueryString)) {
      queryStringParameters[key] =
        queryStringParameters[key] === undefined ? value : `${queryStringParameters[key]},${value}`;
    }
  }

  const now = context.now ?? new Date();
  const host = headers.host ?? 'localhost';
  const domainName = domainNameOf(host);
  // Built property by property rather than with conditional spreads (cheaper on every request); the
  // keys keep the same order, so the JSON the function receives is unchanged.
  const event = {
    version: '2.0',
    routeKey: context.routeKey,
    rawPath,
    rawQueryString,
  } as HttpApiEvent;
  if (cookies && cookies.length > 0) event.cookies = cookies;
  event.headers = headers;
  if (queryStringParameters) event.queryStringParameters = queryStringParameters;
  const requestContext = {
    accountId: LOCAL_ACCOUNT_ID,
    apiId: context.apiId,
  } as HttpApiEvent['requestContext'];
  if (context.jwt) requestContext.authorizer = { jwt: context.jwt };
  requestContext.domainName = domainName;
  requestContext.domainPrefix = domainName.split('.')[0] ?? domainName;
  requestContext.http = {
    method: request.method.toUpperCase(),
    path: rawPath,
    protocol: request.protocol,
    sourceIp: request.sourceIp,
    userAgent: headers['user-agent'] ?? '',
  };
  requestContext.requestId = context.requestId ?? randomUUID();
  requestContext.routeKey = context.routeKey;
  requestContext.stage = '$default';
  requestContext.time = requestTime(now);
  requestContext.timeEpoch = now.getTime();
  event.requestContext = requestContext;
  if (context.pathParameters) event.pathParameters = context.pathParameters;
  event.isBase64Encoded = false;
  if (request.body.length > 0) {
    if (isTextContentType(headers['content-type'])) {
      event.body = request.body.toString('utf8');
    } else {
      event.body = request.body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

export class InvalidLambdaResponse extends Error {}

/**
 * Maps a Lambda result to a response like payload format 2.0 does: an object with a statusCode is
 * taken as a response; anything else is JSON with status 200 (a string is the body as is).
 */
export function toHttpResponse(result: unknown): HttpResponse {
  if (result !== null && typeof result === 'object' && !Array.isArray(result) && 'statusCode' in result) {
    const r = result as {
      statusCode: unknown;
      headers?: unknown;
      body?: unknown;
      isBase64Encoded?: unknown;
      cookies?: unknown;
    };
    const statusCode = Number(r.statusCode);
    if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      throw new InvalidLambdaResponse(`invalid statusCode ${JSON.stringify(r.statusCode)}`);
    }
    if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') {
      throw new InvalidLambdaResponse('body must be a string (API Gateway answers 500 otherwise)');
    }
    const headers: Record<string, string> = {};
    if (r.headers && typeof r.headers === 'object') {
      for (const [name, value] of Object.entries(r.headers as Record<string, unknown>))
        headers[name.toLowerCase()] = String(value);
    }
    const cookies = Array.isArray(r.cookies) ? r.cookies.map(String) : [];
    const text = typeof r.body === 'string' ? r.body : '';
    const body = r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
    return { statusCode, headers, cookies, body };
  }
  const text = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(text, 'utf8'),
  };
}

const GATEWAY_ERROR_CODES: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'route_not_found',
  413: 'payload_too_large',
  500: 'internal_error',
  503: 'service_unavailable',
};

/**
 * An answer of the gateway itself (no function ran). API Gateway's `message` stays, for clients
 * that already read it, beside the platform's error shape, so every answer a client can meet has
 * `error.code`, `error.message` and `error.correlationId`.
 */
export function jsonMessage(statusCode: number, message: string): HttpResponse {
  const correlationId = randomUUID();
  const error = { code: GATEWAY_ERROR_CODES[statusCode] ?? 'gateway_error', message, correlationId };
  return {
    statusCode,
    headers: { 'content-type': 'application/json', 'x-request-id': correlationId },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message, error })),
  };
}
