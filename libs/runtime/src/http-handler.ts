import { runWithCorrelationId } from './correlation';
import middy from '@middy/core';
import type { MiddlewareObj, MiddyfiedHandler, Request } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { errorBody, internalError, isHttpError, validationFailed, zodIssuesToDetails } from './errors';
import type { ErrorDetail, HttpError } from './errors';
import { logger as defaultLogger } from './logger';
import { baseMiddleware, CORRELATION_ID_HEADER, resolveCorrelationId } from './middleware';
import type { ContextWithCorrelationId } from './middleware';
import { assertBodySize, readJsonBody } from './http/body';
import { getHeader, lowercaseHeaders, mergeHeaders, SECURITY_HEADERS } from './http/headers';

/** What a handler returns: `body` is serialised as JSON (omitted for 204 or when undefined). */
export interface HttpResult<TBody = unknown> {
  statusCode: number;
  body?: TBody;
  headers?: Record<string, string>;
  /** A small HTML page sent as it is instead of `body` (pages a browser opens from an e-mail). */
  html?: string;
}

/** A small HTML page (already rendered, its user text escaped by the template). */
export function htmlResponse(statusCode: number, html: string, headers?: Record<string, string>): HttpResult {
  return { statusCode, html, ...(headers ? { headers } : {}) };
}

export function jsonResponse<TBody>(
  statusCode: number,
  body?: TBody,
  headers?: Record<string, string>,
): HttpResult<TBody> {
  return { statusCode, ...(body === undefined ? {} : { body }), ...(headers ? { headers } : {}) };
}

type Schema = z.ZodType | undefined;
type Parsed<S extends Schema, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;
type StringMap = Record<string, string | undefined>;

/** Everything a handler receives: inputs already validated and typed from the schemas. */
export interface HttpRequest<
  TBody = unknown,
  TPath = StringMap,
  TQuery = StringMap,
  THeaders = StringMap,
  TCaller = undefined,
> {
  /** What `authenticate` returned (undefined without it). */
  caller: TCaller;
  body: TBody;
  path: TPath;
  query: TQuery;
  /** Request headers with lowercase names. */
  headers: THeaders;
  event: APIGatewayProxyEventV2;
  context: Context;
  correlationId: string;
  logger: Logger;
  /** Aborted just before the Lambda times out. */
  signal: AbortSignal;
}

export interface HttpHandlerOptions<
  B extends Schema = undefined,
  P extends Schema = undefined,
  Q extends Schema = undefined,
  H extends Schema = undefined,
  C = undefined,
> {
  /**
   * Who is calling, decided before the body, path, query and headers are validated, so a caller
   * without credentials gets 401/403 and learns nothing about the request's shape. Throw an
   * HttpError to refuse. Runs after the 413 size check, which needs no credentials.
   */
  authenticate?: (request: { headers: StringMap; event: APIGatewayProxyEventV2 }) => Promise<C>;
  /** JSON body schema; when set, a body must be JSON (415 otherwise). Without it the body is not parsed. */
  body?: B;
  /** Schema for `pathParameters`. */
  path?: P;
  /** Schema for `queryStringParameters` (repeated keys arrive comma-joined from API Gateway). */
  query?: Q;
  /** Schema for the headers, keyed by lowercase name. */
  headers?: H;
  /** Bodies larger than this (decoded bytes) get 413 before any parsing. */
  maxBodyBytes?: number;
  logger?: Logger;
  handler: (
    request: HttpRequest<
      Parsed<B, undefined>,
      Parsed<P, StringMap>,
      Parsed<Q, StringMap>,
      Parsed<H, StringMap>,
      C
    >,
  ) => Promise<HttpResult>;
}

export type HttpHandler = MiddyfiedHandler<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Error,
  Context
>;

type HttpMiddyRequest = Request<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Error,
  ContextWithCorrelationId
>;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

function validateInto<S extends Schema>(
  schema: S,
  value: unknown,
  prefix: string | undefined,
  details: ErrorDetail[],
): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  details.push(...zodIssuesToDetails(result.error.issues, prefix));
  return undefined;
}

function serialise(result: unknown): APIGatewayProxyStructuredResultV2 {
  if (typeof result !== 'object' || result === null || !Number.isInteger((result as HttpResult).statusCode)) {
    // A handler that forgot to return is a bug: let it surface as a 500, not an empty 200.
    throw new Error('HTTP handler did not return { statusCode }');
  }
  const { statusCode, body, headers, html } = result as HttpResult;
  if (html !== undefined) {
    return {
      statusCode,
      headers: mergeHeaders({ 'Content-Type': 'text/html; charset=utf-8' }, headers),
      body: html,
    };
  }
  if (statusCode === 204 || body === undefined) return { statusCode, headers: { ...headers } };
  return {
    statusCode,
    headers: mergeHeaders({ 'Content-Type': JSON_CONTENT_TYPE }, headers),
    body: JSON.stringify(body),
  };
}

/**
 * The factory for API Gateway HTTP API (payload 2.0) handlers: correlation id, input parsing and
 * validation, JSON responses, security headers, one error shape, one log line per request. CORS is
 * the HTTP API's (its CorsConfiguration answers preflights and adds the headers, decision 31).
 */
export function createHttpHandler<
  B extends Schema = undefined,
  P extends Schema = undefined,
  Q extends Schema = undefined,
  H extends Schema = undefined,
  C = undefined,
>(options: HttpHandlerOptions<B, P, Q, H, C>): HttpHandler {
  const log = options.logger ?? defaultLogger;
  const startedAt = new WeakMap<object, number>();

  const correlationIdOf = (request: HttpMiddyRequest): string =>
    request.context.correlationId ??
    resolveCorrelationId(getHeader(request.event.headers, CORRELATION_ID_HEADER));

  const finish = (
    request: HttpMiddyRequest,
    response: APIGatewayProxyStructuredResultV2,
    errorCode?: string,
  ): APIGatewayProxyStructuredResultV2 => {
    const correlationId = correlationIdOf(request);
    const headers = mergeHeaders(
      SECURITY_HEADERS,
      response.headers as Record<string, string> | undefined,
      // Last, so a handler cannot break the link between the client's id and our logs.
      { [CORRELATION_ID_HEADER]: correlationId },
    );
    const started = startedAt.get(request);
    // Never the body, query string or headers: they can hold credentials and personal data.
    log.info('http request', {
      method: request.event.requestContext?.http?.method,
      route: request.event.routeKey ?? request.event.rawPath,
      path: request.event.rawPath,
      status: response.statusCode,
      latencyMs: started === undefined ? undefined : Math.round(performance.now() - started),
      ...(errorCode ? { errorCode } : {}),
    });
    return { ...response, headers };
  };

  const boundary: MiddlewareObj<
    APIGatewayProxyEventV2,
    APIGatewayProxyStructuredResultV2,
    Error,
    ContextWithCorrelationId
  > = {
    name: 'switchyardHttp',
    before: (request) => {
      startedAt.set(request, performance.now());
    },
    after: (request) => {
      if (request.response) request.response = finish(request, request.response);
    },
    onError: (request) => {
      const error: unknown = request.error;
      let httpError: HttpError;
      if (isHttpError(error)) {
        httpError = error;
      } else {
        httpError = internalError();
        log.error('Unhandled error', error instanceof Error ? error : new Error(String(error)));
      }
      request.response = finish(
        request,
        {
          statusCode: httpError.status,
          headers: mergeHeaders({ 'Content-Type': JSON_CONTENT_TYPE }, httpError.headers),
          body: JSON.stringify(errorBody(httpError, correlationIdOf(request))),
        },
        httpError.code,
      );
    },
  };

  const run = async (
    event: APIGatewayProxyEventV2,
    context: ContextWithCorrelationId,
    { signal }: { signal: AbortSignal },
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    // Size, media type and syntax problems are answered alone; schema problems are gathered.
    assertBodySize(event, options.maxBodyBytes);
    const caller = options.authenticate
      ? await options.authenticate({ headers: lowercaseHeaders(event.headers), event })
      : undefined;
    const rawBody = options.body ? readJsonBody(event, options.maxBodyBytes) : undefined;
    const details: ErrorDetail[] = [];
    const body = validateInto(options.body, rawBody, undefined, details);
    const path = validateInto(options.path, event.pathParameters ?? {}, 'path', details);
    const query = validateInto(options.query, event.queryStringParameters ?? {}, 'query', details);
    const headers = validateInto(options.headers, lowercaseHeaders(event.headers), 'headers', details);
    if (details.length > 0) throw validationFailed(details);

    // Everything the handler publishes carries the request's correlation id without passing it.
    const result = await runWithCorrelationId(context.correlationId, () =>
      options.handler({
        caller,
        body,
        path,
        query,
        headers,
        event,
        context,
        correlationId: context.correlationId,
        logger: log,
        signal,
      } as Parameters<typeof options.handler>[0]),
    );
    return serialise(result);
  };

  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, ContextWithCorrelationId>()
    .use(
      baseMiddleware<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
        correlationId: (event) => getHeader(event.headers, CORRELATION_ID_HEADER),
        logger: log,
      }),
    )
    .use(boundary)
    .handler(run) as unknown as HttpHandler;
}
