import { getHeader } from './headers';

export interface CorsOptions {
  /** Allowed origins; '*' allows any. Default: CORS_ALLOWED_ORIGINS (comma-separated), else '*'. */
  origins?: string[] | '*';
  allowMethods?: string[];
  allowHeaders?: string[];
  /** Response headers a browser script may read. */
  exposeHeaders?: string[];
  maxAgeSeconds?: number;
}

export interface ResolvedCors {
  anyOrigin: boolean;
  origins: ReadonlySet<string>;
  allowMethods: string;
  allowHeaders: string;
  exposeHeaders: string;
  maxAge: string;
}

const DEFAULT_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const DEFAULT_ALLOW_HEADERS = [
  'Content-Type',
  'Authorization',
  'X-Api-Key',
  'X-Request-ID',
  'Idempotency-Key',
];
const DEFAULT_EXPOSE_HEADERS = [
  'X-Request-ID',
  'Retry-After',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
];

export function parseOriginList(value: string | undefined): string[] | '*' {
  const list = (value ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0);
  return list.length === 0 || list.includes('*') ? '*' : list;
}

export function resolveCors(
  options: CorsOptions = {},
  env: Record<string, string | undefined>,
): ResolvedCors {
  const origins = options.origins ?? parseOriginList(env.CORS_ALLOWED_ORIGINS);
  const anyOrigin = origins === '*' || origins.includes('*');
  return {
    anyOrigin,
    origins: new Set(anyOrigin ? [] : (origins as string[])),
    allowMethods: (options.allowMethods ?? DEFAULT_METHODS).join(','),
    allowHeaders: (options.allowHeaders ?? DEFAULT_ALLOW_HEADERS).join(','),
    exposeHeaders: (options.exposeHeaders ?? DEFAULT_EXPOSE_HEADERS).join(','),
    maxAge: String(options.maxAgeSeconds ?? 600),
  };
}

/** CORS headers for an ordinary response. No credentials are allowed, so '*' is safe to send. */
export function corsHeaders(
  cors: ResolvedCors,
  requestHeaders: Record<string, string | undefined> | undefined,
): Record<string, string> {
  const headers: Record<string, string> = { 'Access-Control-Expose-Headers': cors.exposeHeaders };
  if (cors.anyOrigin) {
    headers['Access-Control-Allow-Origin'] = '*';
    return headers;
  }
  // The answer depends on the Origin header, so caches must key on it.
  headers.Vary = 'Origin';
  const origin = getHeader(requestHeaders, 'origin');
  if (origin !== undefined && cors.origins.has(origin)) headers['Access-Control-Allow-Origin'] = origin;
  return headers;
}

/** Extra headers answering a preflight (OPTIONS) request. */
export function preflightHeaders(cors: ResolvedCors): Record<string, string> {
  return {
    'Access-Control-Allow-Methods': cors.allowMethods,
    'Access-Control-Allow-Headers': cors.allowHeaders,
    'Access-Control-Max-Age': cors.maxAge,
  };
}
