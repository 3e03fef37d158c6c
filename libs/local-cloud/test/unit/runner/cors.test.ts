import {
  isPreflight,
  originAllowed,
  preflightResponse,
  withCorsHeaders,
} from '../../../src/runner/gateway/cors';
import type { CorsConfiguration } from '../../../src/runner/gateway/cors';
import type { HttpResponse } from '../../../src/runner/gateway/http-api';

const config: CorsConfiguration = {
  AllowOrigins: ['https://app.example.com', 'http://*'],
  AllowMethods: ['GET', 'POST'],
  AllowHeaders: ['authorization', 'content-type'],
  ExposeHeaders: ['x-request-id'],
  MaxAge: 600,
};

const answer = (headers: Record<string, string> = {}, statusCode = 200): HttpResponse => ({
  statusCode,
  headers,
  cookies: [],
  body: Buffer.from('{}'),
});

describe("an HTTP API's CORS configuration, as API Gateway applies it", () => {
  it('allows listed origins, any origin for *, and prefixes for wildcard entries', () => {
    expect(originAllowed(config, 'https://app.example.com')).toBe(true);
    expect(originAllowed(config, 'HTTPS://APP.EXAMPLE.COM')).toBe(true);
    expect(originAllowed(config, 'http://127.0.0.1:5173')).toBe(true);
    expect(originAllowed(config, 'https://evil.example')).toBe(false);
    expect(originAllowed({ AllowOrigins: ['*'] }, 'https://anyone.example')).toBe(true);
    expect(originAllowed({}, 'https://app.example.com')).toBe(false);
  });

  it('knows a preflight: OPTIONS with Origin and Access-Control-Request-Method', () => {
    const headers = { origin: 'https://app.example.com', 'access-control-request-method': 'POST' };
    expect(isPreflight('OPTIONS', headers)).toBe(true);
    expect(isPreflight('GET', headers)).toBe(false);
    expect(isPreflight('OPTIONS', { origin: 'https://app.example.com' })).toBe(false);
  });

  it('answers a preflight from an allowed origin with 204 and the configured allow-* headers', () => {
    const response = preflightResponse(config, {
      origin: 'https://app.example.com',
      'access-control-request-method': 'POST',
    });
    expect(response.statusCode).toBe(204);
    expect(response.body.length).toBe(0);
    expect(response.headers).toEqual({
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-allow-methods': 'GET,POST',
      'access-control-allow-headers': 'authorization,content-type',
      'access-control-max-age': '600',
    });
  });

  it('answers a preflight from another origin with 204 and no CORS headers, so the browser refuses', () => {
    const response = preflightResponse(config, {
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers).toEqual({});
  });

  it('sends * for an API allowing any origin, and says when credentials are allowed', () => {
    const open = preflightResponse(
      { AllowOrigins: ['*'], AllowMethods: ['*'], AllowHeaders: ['*'] },
      {
        origin: 'https://x.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'x-custom',
      },
    );
    expect(open.headers).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'PUT',
      'access-control-allow-headers': 'x-custom',
    });
    const withCredentials = withCorsHeaders(
      { AllowOrigins: ['https://app.example.com'], AllowCredentials: true },
      { origin: 'https://app.example.com' },
      answer(),
    );
    expect(withCredentials.headers['access-control-allow-credentials']).toBe('true');
  });

  it('adds allow-origin and expose headers to any answer, errors included, and drops the function’s own', () => {
    const response = withCorsHeaders(
      config,
      { origin: 'https://app.example.com' },
      answer({ 'content-type': 'application/json', 'Access-Control-Allow-Origin': '*', Vary: 'Origin' }, 401),
    );
    expect(response.statusCode).toBe(401);
    expect(response.headers).toEqual({
      'content-type': 'application/json',
      Vary: 'Origin',
      'access-control-allow-origin': 'https://app.example.com',
      'access-control-expose-headers': 'x-request-id',
    });
  });

  it('adds nothing without an Origin or for an origin it does not allow', () => {
    expect(withCorsHeaders(config, {}, answer()).headers).toEqual({});
    expect(withCorsHeaders(config, { origin: 'https://evil.example' }, answer()).headers).toEqual({});
  });
});
