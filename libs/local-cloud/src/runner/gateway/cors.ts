/**
 * An HTTP API's CorsConfiguration, applied the way API Gateway applies it: it answers preflight
 * requests itself (no route or function involved), adds the CORS headers to every answer to a
 * request that carries an `Origin` (the function's, and its own 401/403/404/413/5xx), and ignores
 * CORS headers a function returns. Pure: the gateway calls these around each request.
 */
import type { HttpResponse } from './http-api';

/** AWS::ApiGatewayV2::Api's CorsConfiguration, resolved. */
export interface CorsConfiguration {
  AllowOrigins?: string[];
  AllowCredentials?: boolean;
  AllowHeaders?: string[];
  AllowMethods?: string[];
  ExposeHeaders?: string[];
  MaxAge?: number;
}

function header(headers: Record<string, string>, name: string): string | undefined {
  return headers[name] ?? Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
}

/**
 * Whether an origin is allowed: listed exactly (scheme and host compare case-insensitively), or
 * matched by `*`, or by a wildcard entry such as `https://*` (what API Gateway accepts).
 */
export function originAllowed(config: CorsConfiguration, origin: string): boolean {
  const candidate = origin.toLowerCase();
  return (config.AllowOrigins ?? []).some((allowed) => {
    const entry = allowed.toLowerCase();
    if (entry === '*') return true;
    if (entry.endsWith('*')) return candidate.startsWith(entry.slice(0, -1));
    return entry === candidate;
  });
}

/** A CORS preflight: OPTIONS with `Origin` and `Access-Control-Request-Method`. */
export function isPreflight(method: string, headers: Record<string, string>): boolean {
  return (
    method === 'OPTIONS' &&
    header(headers, 'origin') !== undefined &&
    header(headers, 'access-control-request-method') !== undefined
  );
}

function allowOriginValue(config: CorsConfiguration, origin: string): string {
  return (config.AllowOrigins ?? []).includes('*') ? '*' : origin;
}

/** API Gateway's own answer to a preflight: 204, with the allow-* headers only for an allowed origin. */
export function preflightResponse(config: CorsConfiguration, headers: Record<string, string>): HttpResponse {
  const origin = header(headers, 'origin') ?? '';
  const out: Record<string, string> = {};
  if (originAllowed(config, origin)) {
    out['access-control-allow-origin'] = allowOriginValue(config, origin);
    const methods = config.AllowMethods ?? [];
    if (methods.length > 0) {
      out['access-control-allow-methods'] = methods.includes('*')
        ? (header(headers, 'access-control-request-method') ?? '*')
        : methods.join(',');
    }
    const allowHeaders = config.AllowHeaders ?? [];
    if (allowHeaders.length > 0) {
      out['access-control-allow-headers'] = allowHeaders.includes('*')
        ? (header(headers, 'access-control-request-headers') ?? '*')
        : allowHeaders.join(',');
    }
    if (config.MaxAge !== undefined) out['access-control-max-age'] = String(config.MaxAge);
    if (config.AllowCredentials) out['access-control-allow-credentials'] = 'true';
  }
  return { statusCode: 204, headers: out, cookies: [], body: Buffer.alloc(0) };
}

/**
 * The answer with the API's CORS headers: the function's own access-control-* headers are dropped
 * (API Gateway ignores them once the API has a CORS configuration), and for an allowed `Origin` the
 * allow-origin, expose and credentials headers are set.
 */
export function withCorsHeaders(
  config: CorsConfiguration,
  requestHeaders: Record<string, string>,
  response: HttpResponse,
): HttpResponse {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (!name.toLowerCase().startsWith('access-control-')) headers[name] = value;
  }
  const origin = header(requestHeaders, 'origin');
  if (origin !== undefined && originAllowed(config, origin)) {
    headers['access-control-allow-origin'] = allowOriginValue(config, origin);
    if (config.ExposeHeaders?.length)
      headers['access-control-expose-headers'] = config.ExposeHeaders.join(',');
    if (config.AllowCredentials) headers['access-control-allow-credentials'] = 'true';
  }
  return { ...response, headers };
}
