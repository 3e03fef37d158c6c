import { z } from 'zod';
import {
  badRequest,
  conflict,
  errorBody,
  forbidden,
  fromZodError,
  HttpError,
  internalError,
  isHttpError,
  notFound,
  payloadTooLarge,
  paymentRequired,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
  validationFailed,
  zodIssuesToDetails,
} from '../../src/errors';

describe('HttpError helpers', () => {
  it.each([
    [badRequest(), 400, 'bad_request'],
    [unauthorized(), 401, 'unauthorized'],
    [paymentRequired(), 402, 'payment_required'],
    [forbidden(), 403, 'forbidden'],
    [notFound(), 404, 'not_found'],
    [conflict(), 409, 'conflict'],
    [payloadTooLarge(1024), 413, 'payload_too_large'],
    [unsupportedMediaType(), 415, 'unsupported_media_type'],
    [tooManyRequests({ retryAfterSeconds: 1 }), 429, 'rate_limited'],
    [internalError(), 500, 'internal_error'],
  ])('%s has status %i and code %s', (error, status, code) => {
    expect(error).toBeInstanceOf(HttpError);
    expect(isHttpError(error)).toBe(true);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(0);
  });

  it('lets a helper override the code and carry details and headers', () => {
    const error = notFound('No such event', {
      code: 'event_not_found',
      details: { id: 'e1' },
      headers: { 'X-Extra': '1' },
    });
    expect(error.code).toBe('event_not_found');
    expect(error.message).toBe('No such event');
    expect(error.details).toEqual({ id: 'e1' });
    expect(error.headers).toEqual({ 'X-Extra': '1' });
  });

  it('says the limit in a 413 message', () => {
    expect(payloadTooLarge(262144).message).toContain('262144');
  });

  it('does not treat plain errors as HttpErrors', () => {
    expect(isHttpError(new Error('boom'))).toBe(false);
    expect(isHttpError({ status: 400, code: 'x' })).toBe(false);
  });
});

describe('tooManyRequests', () => {
  it('sets Retry-After and the RateLimit-* headers, rounding seconds up', () => {
    const error = tooManyRequests({ retryAfterSeconds: 2.2, limit: 100, remaining: 0, resetSeconds: 30 });
    expect(error.status).toBe(429);
    expect(error.headers).toEqual({
      'Retry-After': '3',
      'RateLimit-Limit': '100',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '30',
    });
  });

  it('defaults RateLimit-Reset to Retry-After and leaves out unknown limits', () => {
    const error = tooManyRequests({ retryAfterSeconds: 5 });
    expect(error.headers).toEqual({ 'Retry-After': '5', 'RateLimit-Reset': '5' });
  });
});

describe('zod issues as details', () => {
  const schema = z.object({
    name: z.string(),
    items: z.array(z.object({ qty: z.number().int().positive() })),
    meta: z.object({ source: z.enum(['web', 'api']) }),
  });

  it('maps each issue to a dotted path and its message', () => {
    const result = schema.safeParse({ items: [{ qty: 1 }, { qty: -2 }], meta: { source: 'fax' } });
    expect(result.success).toBe(false);
    if (result.success) return;
    const details = zodIssuesToDetails(result.error.issues);
    expect(details.map((d) => d.path).sort()).toEqual(['items.1.qty', 'meta.source', 'name']);
    for (const detail of details) expect(typeof detail.message).toBe('string');
  });

  it('prefixes paths of non-body inputs', () => {
    const result = z.object({ limit: z.coerce.number().max(100) }).safeParse({ limit: '500' });
    if (result.success) throw new Error('expected a failure');
    expect(zodIssuesToDetails(result.error.issues, 'query')).toEqual([
      { path: 'query.limit', message: expect.any(String) },
    ]);
  });

  it('turns a ZodError into a 400 validation_failed', () => {
    const result = schema.safeParse({});
    if (result.success) throw new Error('expected a failure');
    const error = fromZodError(result.error);
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'name' })]));
  });
});

describe('errorBody', () => {
  it('builds exactly { error: { code, message, correlationId } } without details', () => {
    expect(errorBody(forbidden('Nope'), 'corr-1')).toStrictEqual({
      error: { code: 'forbidden', message: 'Nope', correlationId: 'corr-1' },
    });
  });

  it('includes details when present', () => {
    const error = validationFailed([{ path: 'name', message: 'Required' }]);
    expect(errorBody(error, 'corr-2')).toStrictEqual({
      error: {
        code: 'validation_failed',
        message: 'Request validation failed',
        details: [{ path: 'name', message: 'Required' }],
        correlationId: 'corr-2',
      },
    });
  });
});
