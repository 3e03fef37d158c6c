/**
 * The factory for handlers that stream their answer (Lambda response streaming behind a Function URL
 * with InvokeMode RESPONSE_STREAM; API Gateway HTTP APIs buffer, so they cannot stream). The request
 * is authenticated and validated as createHttpHandler does, and a refusal before the first byte is
 * an ordinary JSON error in the platform's shape. Once the handler opens the stream the status is
 * sent; later failures are the handler's to report inside the stream.
 *
 * On AWS the handler is wrapped with `awslambda.streamifyResponse` (a global of the Node.js runtime);
 * the local cloud's function host defines the same global, so one bundle runs in both.
 */
import type { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { z } from 'zod';
import { runWithCorrelationId } from './correlation';
import { errorBody, internalError, isHttpError, validationFailed, zodIssuesToDetails } from './errors';
import type { ErrorDetail, HttpError } from './errors';
import { assertBodySize, readJsonBody } from './http/body';
import { getHeader, lowercaseHeaders, mergeHeaders, SECURITY_HEADERS } from './http/headers';
import { logger as defaultLogger } from './logger';
import { CORRELATION_ID_HEADER, resolveCorrelationId } from './middleware';
import type { Logger } from '@aws-lambda-powertools/logger';

type StringMap = Record<string, string | undefined>;
type Schema = z.ZodType | undefined;
type Parsed<S extends Schema, Fallback> = S extends z.ZodType ? z.output<S> : Fallback;

/** The response stream the handler writes to once it has decided the status. */
export interface ResponseStreamWriter {
  /** Sends the status and headers (once); later calls return the same writer. */
  open(statusCode: number, headers?: Record<string, string>): void;
  /** Writes a chunk; false once the client has gone (the write is dropped). */
  write(chunk: string | Uint8Array): boolean;
  /** Ends the response. */
  end(): void;
  /** Whether the client is still there. */
  readonly closed: boolean;
}

export interface StreamingHttpRequest<TBody, TCaller> {
  caller: TCaller;
  body: TBody;
  headers: StringMap;
  event: APIGatewayProxyEventV2;
  context: Context;
  correlationId: string;
  logger: Logger;
  /** Aborted when the client disconnects or the function is about to time out. */
  signal: AbortSignal;
  response: ResponseStreamWriter;
}

export interface StreamingHttpHandlerOptions<B extends Schema, C> {
  authenticate?: (request: { headers: StringMap; event: APIGatewayProxyEventV2 }) => Promise<C>;
  body?: B;
  maxBodyBytes?: number;
  logger?: Logger;
  /** Streams the answer through `response`; throwing before `response.open` gives a JSON error. */
  handler: (request: StreamingHttpRequest<Parsed<B, undefined>, C>) => Promise<void>;
}

/** The metadata Lambda expects before a streamed HTTP body (status and headers). */
export interface StreamMetadata {
  statusCode: number;
  headers: Record<string, string>;
}

interface LambdaStreamingGlobal {
  streamifyResponse(
    handler: (event: APIGatewayProxyEventV2, stream: Writable, context: Context) => Promise<void>,
  ): unknown;
  HttpResponseStream: { from(stream: Writable, metadata: StreamMetadata): Writable };
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

function lambdaGlobal(): LambdaStreamingGlobal {
  const found = (globalThis as unknown as { awslambda?: LambdaStreamingGlobal }).awslambda;
  if (!found) throw new Error('awslambda.streamifyResponse is not available in this runtime');
  return found;
}

/** The streaming run itself, without the runtime's wrapper (what tests call directly). */
export function streamingRun<B extends Schema = undefined, C = undefined>(
  options: StreamingHttpHandlerOptions<B, C>,
  httpStream: (stream: Writable, metadata: StreamMetadata) => Writable,
) {
  const log = options.logger ?? defaultLogger;
  return async (event: APIGatewayProxyEventV2, stream: Writable, context: Context): Promise<void> => {
    const started = performance.now();
    const correlationId = resolveCorrelationId(getHeader(event.headers, CORRELATION_ID_HEADER));
    const abort = new AbortController();
    const onGone = () => abort.abort(new Error('client disconnected'));
    stream.once('close', onGone);
    stream.once('error', onGone);
    const remaining = context.getRemainingTimeInMillis?.() ?? 0;
    const timer =
      remaining > 0
        ? setTimeout(() => abort.abort(new Error('function timing out')), Math.max(0, remaining - 500))
        : undefined;
    let out: Writable | undefined;
    let status = 0;
    const response: ResponseStreamWriter = {
      open(statusCode, headers) {
        if (out) return;
        status = statusCode;
        out = httpStream(stream, {
          statusCode,
          headers: mergeHeaders(SECURITY_HEADERS, headers, { [CORRELATION_ID_HEADER]: correlationId }),
        });
      },
      write(chunk) {
        if (!out) throw new Error('response.open must come before response.write');
        if (abort.signal.aborted || out.destroyed || out.writableEnded) return false;
        out.write(chunk);
        return true;
      },
      end() {
        if (out && !out.writableEnded && !out.destroyed) out.end();
      },
      get closed() {
        return abort.signal.aborted;
      },
    };
    let errorCode: string | undefined;
    try {
      assertBodySize(event, options.maxBodyBytes);
      const caller = options.authenticate
        ? await options.authenticate({ headers: lowercaseHeaders(event.headers), event })
        : undefined;
      const rawBody = options.body ? readJsonBody(event, options.maxBodyBytes) : undefined;
      let body: unknown = rawBody;
      if (options.body) {
        const result = options.body.safeParse(rawBody);
        if (!result.success) {
          const details: ErrorDetail[] = zodIssuesToDetails(result.error.issues);
          throw validationFailed(details);
        }
        body = result.data;
      }
      await runWithCorrelationId(correlationId, () =>
        options.handler({
          caller,
          body,
          headers: lowercaseHeaders(event.headers),
          event,
          context,
          correlationId,
          logger: log,
          signal: abort.signal,
          response,
        } as Parameters<typeof options.handler>[0]),
      );
    } catch (error) {
      let httpError: HttpError;
      if (isHttpError(error)) httpError = error;
      else {
        httpError = internalError();
        log.error('Unhandled error', error instanceof Error ? error : new Error(String(error)));
      }
      errorCode = httpError.code;
      if (!out) {
        response.open(
          httpError.status,
          mergeHeaders({ 'Content-Type': JSON_CONTENT_TYPE }, httpError.headers),
        );
        response.write(JSON.stringify(errorBody(httpError, correlationId)));
      }
    } finally {
      if (timer) clearTimeout(timer);
      response.end();
      if (!out && !stream.writableEnded) stream.end();
      log.info('http request', {
        method: event.requestContext?.http?.method,
        path: event.rawPath,
        status,
        streamed: true,
        aborted: abort.signal.aborted || undefined,
        latencyMs: Math.round(performance.now() - started),
        ...(errorCode ? { errorCode } : {}),
      });
    }
  };
}

/** A Lambda handler streaming its response (see the file's comment). */
export function createStreamingHttpHandler<B extends Schema = undefined, C = undefined>(
  options: StreamingHttpHandlerOptions<B, C>,
): unknown {
  const runtime = lambdaGlobal();
  return runtime.streamifyResponse(
    streamingRun(options, (stream, metadata) => runtime.HttpResponseStream.from(stream, metadata)),
  );
}
