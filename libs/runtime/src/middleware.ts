import { randomUUID } from 'node:crypto';
import type { MiddlewareObj } from '@middy/core';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { logger as defaultLogger } from './logger';

/** Header that carries the correlation id in and out of HTTP APIs. */
export const CORRELATION_ID_HEADER = 'X-Request-ID';

/** Key under which the correlation id appears on every log line of an invocation. */
export const CORRELATION_ID_LOG_KEY = 'correlationId';

// A caller-supplied id ends up in logs and response headers, so only a short, inert token is accepted.
const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function isValidCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && CORRELATION_ID_PATTERN.test(value);
}

/** The candidate when it is a sane token, otherwise a fresh UUID. */
export function resolveCorrelationId(candidate?: unknown): string {
  return isValidCorrelationId(candidate) ? candidate : randomUUID();
}

/** The Lambda context as seen by handlers built on {@link baseMiddleware}. */
export type ContextWithCorrelationId = Context & { correlationId: string };

export interface BaseMiddlewareOptions<TEvent> {
  /** Where the invocation's correlation id comes from; invalid or absent means a new UUID. */
  correlationId?: (event: TEvent) => unknown;
  logger?: Logger;
}

/**
 * The part every Switchyard handler shares, HTTP or not:
 * - adds the Lambda context to the logger and `correlationId` to every log line of the invocation;
 * - exposes the id as `context.correlationId`;
 * - logs an error nobody handled (the response is still undefined) with its stack;
 * - removes the key afterwards, because Lambda reuses the logger for the next invocation.
 * Register it first (`middy().use(baseMiddleware(...)).use(...)`) so its cleanup runs last.
 */
export function baseMiddleware<TEvent = unknown, TResult = unknown>(
  options: BaseMiddlewareOptions<TEvent> = {},
): MiddlewareObj<TEvent, TResult, Error, ContextWithCorrelationId> {
  const log = options.logger ?? defaultLogger;
  const cleanup = () => setCorrelationKey(log, undefined);
  return {
    name: 'switchyardBase',
    before: (request) => {
      const correlationId = resolveCorrelationId(options.correlationId?.(request.event));
      request.context.correlationId = correlationId;
      // Tests and the local cloud may pass a partial context; addContext only copies fields.
      if (request.context.awsRequestId !== undefined) log.addContext(request.context);
      setCorrelationKey(log, correlationId);
    },
    after: cleanup,
    onError: (request) => {
      if (request.response === undefined && request.error) {
        log.error('Unhandled error', request.error);
      }
      cleanup();
    },
  };
}

/**
 * Runs `fn` with `correlationId` on every log line, then puts back the invocation's id: for
 * consumers whose records each carry their own correlation id within one invocation.
 */
export async function withCorrelationId<T>(
  correlationId: string,
  fn: () => Promise<T>,
  log: Logger = defaultLogger,
): Promise<T> {
  const previous = current.get(log);
  setCorrelationKey(log, correlationId);
  try {
    return await fn();
  } finally {
    setCorrelationKey(log, previous);
  }
}

// The id currently on each logger, tracked here because Powertools does not expose temporary keys.
const current = new WeakMap<Logger, string>();

function setCorrelationKey(log: Logger, correlationId: string | undefined): void {
  if (correlationId === undefined) {
    current.delete(log);
    log.removeKeys([CORRELATION_ID_LOG_KEY]);
  } else {
    current.set(log, correlationId);
    log.appendKeys({ [CORRELATION_ID_LOG_KEY]: correlationId });
  }
}
