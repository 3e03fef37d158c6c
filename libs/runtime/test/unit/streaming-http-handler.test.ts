import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { unauthorized } from '../../src/errors';
import { streamingRun } from '../../src/streaming-http-handler';
import type { StreamMetadata } from '../../src/streaming-http-handler';
import { lambdaContext } from '../../src/testing';
import { httpEvent } from '../support/http-event';

/** Collects what a streaming handler sent: the metadata, then the body. */
function sink() {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  let metadata: StreamMetadata | undefined;
  const httpStream = (s: PassThrough, m: StreamMetadata) => {
    metadata = m;
    return s;
  };
  return {
    stream,
    httpStream: httpStream as never,
    get metadata() {
      return metadata;
    },
    text: () => Buffer.concat(chunks).toString('utf8'),
  };
}

const post = (body: unknown, headers: Record<string, string> = {}) =>
  httpEvent({ method: 'POST', path: '/stream', routeKey: '$default', body, headers });

describe('streamingRun', () => {
  it('streams what the handler writes after opening, with the security and correlation headers', async () => {
    const out = sink();
    const run = streamingRun(
      {
        body: z.object({ n: z.number().int() }),
        handler: async ({ body, response }) => {
          response.open(200, { 'Content-Type': 'text/event-stream' });
          for (let i = 0; i < body.n; i++) response.write(`data: ${i}\n\n`);
        },
      },
      out.httpStream,
    );
    await run(post({ n: 3 }, { 'X-Request-ID': 'req-12345678' }), out.stream, lambdaContext());
    expect(out.metadata?.statusCode).toBe(200);
    expect(out.metadata?.headers['Content-Type']).toBe('text/event-stream');
    expect(out.metadata?.headers['X-Request-ID']).toBe('req-12345678');
    expect(out.metadata?.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(out.text()).toBe('data: 0\n\ndata: 1\n\ndata: 2\n\n');
  });

  it('answers a refusal before the stream opens as a JSON error in the platform shape', async () => {
    const out = sink();
    const run = streamingRun(
      {
        authenticate: async () => {
          throw unauthorized('Missing or invalid credentials.');
        },
        handler: async ({ response }) => response.open(200),
      },
      out.httpStream,
    );
    await run(post({}), out.stream, lambdaContext());
    expect(out.metadata?.statusCode).toBe(401);
    expect(JSON.parse(out.text())).toMatchObject({ error: { code: 'unauthorized' } });
  });

  it('gives a 400 with details for a body that fails the schema', async () => {
    const out = sink();
    const run = streamingRun(
      { body: z.object({ n: z.number() }), handler: async ({ response }) => response.open(200) },
      out.httpStream,
    );
    await run(post({ n: 'x' }), out.stream, lambdaContext());
    expect(out.metadata?.statusCode).toBe(400);
    expect(out.text()).toContain('"n"');
  });

  it('aborts the handler signal when the client goes away', async () => {
    const out = sink();
    let aborted = false;
    const run = streamingRun(
      {
        handler: async ({ response, signal }) => {
          response.open(200);
          response.write('first');
          out.stream.destroy();
          await new Promise((r) => setTimeout(r, 10));
          aborted = signal.aborted;
          expect(response.write('late')).toBe(false);
        },
      },
      out.httpStream,
    );
    await run(post({}), out.stream, lambdaContext());
    expect(aborted).toBe(true);
  });
});
