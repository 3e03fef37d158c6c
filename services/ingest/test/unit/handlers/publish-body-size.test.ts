// The body size of POST /events and POST /events/batch is checked once, by the handler factory
// (`maxBodyBytes`), before the API key and before anything parses the body: these requests carry no
// key, so a body within the limit gets to authentication (401) and one over it does not (413).
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaContext } from '@switchyard/runtime/testing';
import { handler as publishBatch } from '../../../src/handlers/publish-batch';
import { handler as publishEvent } from '../../../src/handlers/publish-event';
import { MAX_BATCH_REQUEST_BYTES, MAX_EVENT_REQUEST_BYTES } from '../../../src/http/publish-request';

function post(path: string, body: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: { http: { method: 'POST', path } },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

async function answer(handler: typeof publishEvent, event: APIGatewayProxyEventV2) {
  const response = await handler(event, lambdaContext());
  const body = JSON.parse(response.body ?? '{}') as { error: { code: string; message: string } };
  return { status: response.statusCode, error: body.error };
}

describe.each([
  ['POST /events', publishEvent, '/events', MAX_EVENT_REQUEST_BYTES],
  ['POST /events/batch', publishBatch, '/events/batch', MAX_BATCH_REQUEST_BYTES],
])('%s body size', (_name, handler, path, limit) => {
  it('lets a body of exactly the limit through and refuses one byte more with 413', async () => {
    expect((await answer(handler, post(path, 'x'.repeat(limit)))).status).toBe(401);
    await expect(answer(handler, post(path, 'x'.repeat(limit + 1)))).resolves.toEqual({
      status: 413,
      error: expect.objectContaining({
        code: 'payload_too_large',
        message: `Request body exceeds ${limit} bytes`,
      }),
    });
  });

  it('measures UTF-8 bodies in bytes and trusts a larger declared Content-Length', async () => {
    expect((await answer(handler, post(path, 'é'.repeat(limit / 2 + 1)))).status).toBe(413);
    const declared = post(path, '{}', { 'content-length': String(limit + 10) });
    expect((await answer(handler, declared)).status).toBe(413);
  });

  it('answers 400 for a Content-Length that is not a number', async () => {
    const malformed = post(path, '{}', { 'content-length': '12abc' });
    await expect(answer(handler, malformed)).resolves.toMatchObject({
      status: 400,
      error: { code: 'bad_request' },
    });
  });
});
