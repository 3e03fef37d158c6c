import type { z } from 'zod';

/** One field-level problem, e.g. `{ path: 'items.0.name', message: 'Required' }`. */
export interface ErrorDetail {
  path: string;
  message: string;
}

/** The one JSON error shape every HTTP API in Switchyard returns. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
    details?: unknown;
    correlationId: string;
  };
}

export interface HttpErrorOptions {
  details?: unknown;
  headers?: Record<string, string>;
  cause?: unknown;
}

/**
 * An error meant for the client: the handler factory turns it into `status` + the error body.
 * `message` is shown to the caller, so it must never contain secrets or internal detail.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details?: unknown;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, options: HttpErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
    this.headers = { ...options.headers };
  }
}

export function isHttpError(error: unknown): error is HttpError {
  return error instanceof HttpError;
}

/** Options shared by the helpers: override the default code, attach details or headers. */
export interface ErrorHelperOptions extends HttpErrorOptions {
  code?: string;
}

function make(status: number, defaultCode: string, message: string, options: ErrorHelperOptions = {}) {
  const { code, ...rest } = options;
  return new HttpError(status, code ?? defaultCode, message, rest);
}

export const badRequest = (message = 'Bad request', options?: ErrorHelperOptions) =>
  make(400, 'bad_request', message, options);

/** 400 `validation_failed` with field-level details. */
export const validationFailed = (details: ErrorDetail[], message = 'Request validation failed') =>
  new HttpError(400, 'validation_failed', message, { details });

export const unauthorized = (message = 'Authentication required', options?: ErrorHelperOptions) =>
  make(401, 'unauthorized', message, options);

export const paymentRequired = (message = 'Payment required', options?: ErrorHelperOptions) =>
  make(402, 'payment_required', message, options);

export const forbidden = (message = 'Forbidden', options?: ErrorHelperOptions) =>
  make(403, 'forbidden', message, options);

export const notFound = (message = 'Not found', options?: ErrorHelperOptions) =>
  make(404, 'not_found', message, options);

export const conflict = (message = 'Conflict', options?: ErrorHelperOptions) =>
  make(409, 'conflict', message, options);

export const payloadTooLarge = (maxBytes?: number, options?: ErrorHelperOptions) =>
  make(
    413,
    'payload_too_large',
    maxBytes === undefined ? 'Request body too large' : `Request body exceeds ${maxBytes} bytes`,
    options,
  );

export const unsupportedMediaType = (
  message = 'Content-Type must be application/json',
  options?: ErrorHelperOptions,
) => make(415, 'unsupported_media_type', message, options);

export interface RateLimitInfo {
  /** Seconds until the client may retry; sent as Retry-After (rounded up). */
  retryAfterSeconds: number;
  /** Requests allowed per window (RateLimit-Limit). */
  limit?: number;
  /** Requests left in the window (RateLimit-Remaining). */
  remaining?: number;
  /** Seconds until the window resets (RateLimit-Reset); defaults to retryAfterSeconds. */
  resetSeconds?: number;
  message?: string;
  code?: string;
  details?: unknown;
}

/** 429 with Retry-After and the IETF draft RateLimit-* headers, so clients can back off correctly. */
export function tooManyRequests(info: RateLimitInfo): HttpError {
  const retryAfter = Math.max(0, Math.ceil(info.retryAfterSeconds));
  const headers: Record<string, string> = {
    'Retry-After': String(retryAfter),
    'RateLimit-Reset': String(Math.max(0, Math.ceil(info.resetSeconds ?? retryAfter))),
  };
  if (info.limit !== undefined) headers['RateLimit-Limit'] = String(info.limit);
  if (info.remaining !== undefined) headers['RateLimit-Remaining'] = String(Math.max(0, info.remaining));
  return new HttpError(429, info.code ?? 'rate_limited', info.message ?? 'Too many requests', {
    headers,
    details: info.details,
  });
}

/** The 500 a client sees for a bug: generic on purpose, the real error goes to the logs only. */
export const internalError = () => new HttpError(500, 'internal_error', 'Internal server error');

/** `['items', 0, 'name']` → `'items.0.name'`; a prefix locates non-body inputs (`query.limit`). */
export function formatIssuePath(path: readonly PropertyKey[], prefix?: string): string {
  const parts = path.map((p) => (typeof p === 'symbol' ? (p.description ?? '') : String(p)));
  return [...(prefix ? [prefix] : []), ...parts].join('.');
}

/** Field-level details from zod issues. Only paths and messages: zod messages do not echo the input. */
export function zodIssuesToDetails(issues: readonly z.core.$ZodIssue[], prefix?: string): ErrorDetail[] {
  return issues.map((issue) => ({ path: formatIssuePath(issue.path, prefix), message: issue.message }));
}

export function fromZodError(error: z.ZodError, prefix?: string): HttpError {
  return validationFailed(zodIssuesToDetails(error.issues, prefix));
}

/** Builds exactly `{ error: { code, message, details?, correlationId } }`. */
export function errorBody(error: HttpError, correlationId: string): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
      correlationId,
    },
  };
}
