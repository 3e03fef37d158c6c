import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { IncomingMessage } from 'node:http';
import { LOOPBACK, endpointOf } from './ports';
import { evaluatePostObject, isPostObject, readForm } from './s3-post-object';
import type { EmulatorOptions, RunningEmulator } from './ports';

export interface FauxqsOptions extends EmulatorOptions {
  /** Region used when a request carries none (fauxqs reads it from SigV4 otherwise). */
  region?: string;
  /** Fastify request logging. */
  logger?: boolean;
}

interface FastifyLike {
  listen(options: { port: number; host: string }): Promise<string>;
  close(): Promise<void>;
  addHook(
    name: 'onRequest',
    hook: (
      request: { method: string; url: string; headers: Record<string, unknown>; raw: IncomingMessage },
      reply: {
        code(status: number): unknown;
        headers(values: Record<string, string>): unknown;
        send(body: string): unknown;
      },
    ) => Promise<unknown>,
  ): void;
  inject(options: {
    method: string;
    url: string;
    headers: Record<string, string>;
    payload: Buffer;
  }): Promise<{ statusCode: number; body: string }>;
}

interface FauxqsModules {
  buildApp(options: {
    logger: boolean;
    defaultRegion?: string;
    stores: Record<string, unknown>;
  }): FastifyLike;
  SqsStore: new () => { host: string };
  SnsStore: new () => unknown;
  S3Store: new () => unknown;
}

/**
 * fauxqs is ESM-only and exports only `.`, while we need two things its public `startFauxqs` does not
 * offer: listening on 127.0.0.1 (it hard-codes 0.0.0.0) and queue URLs on the same origin as the
 * endpoint (its default `sqs.<region>.localhost` host does not resolve on every machine, and SDK v3
 * sends requests to the QueueUrl's host). So we load its modules by file URL.
 */
async function loadFauxqs(): Promise<FauxqsModules> {
  const dist = (require.resolve.paths('fauxqs') ?? [])
    .map((base) => join(base, 'fauxqs', 'dist'))
    .find((dir) => existsSync(join(dir, 'app.js')));
  if (!dist) throw new Error('fauxqs is not installed');
  const load = (file: string): Promise<Record<string, unknown>> =>
    import(pathToFileURL(join(dist, file)).href);
  const [app, sqs, sns, s3, sqsTypes] = await Promise.all([
    load('app.js'),
    load('sqs/sqsStore.js'),
    load('sns/snsStore.js'),
    load('s3/s3Store.js'),
    load('sqs/sqsTypes.js'),
  ]);
  acceptWhatSqsAccepts(sqsTypes.INVALID_MESSAGE_BODY_CHAR);
  return {
    buildApp: app.buildApp as FauxqsModules['buildApp'],
    SqsStore: sqs.SqsStore as FauxqsModules['SqsStore'],
    SnsStore: sns.SnsStore as FauxqsModules['SnsStore'],
    S3Store: s3.S3Store as FauxqsModules['S3Store'],
  };
}

/**
 * The characters a real SQS message body may hold: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD |
 * #x10000–#x10FFFF. fauxqs's check is written without the regular expression's `u` flag, so it sees
 * each half of a surrogate pair as a forbidden character and refuses every emoji, which real SQS
 * accepts. Its check is one shared RegExp object its SendMessage and SendMessageBatch call `test`
 * on; we give that object a `test` that matches what SQS refuses, and only when the installed
 * fauxqs still refuses an emoji (a fixed release is left alone).
 */
// eslint-disable-next-line no-control-regex
export const SQS_REFUSED_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function acceptWhatSqsAccepts(check: unknown): void {
  if (!(check instanceof RegExp))
    throw new Error('fauxqs no longer exports INVALID_MESSAGE_BODY_CHAR from sqs/sqsTypes.js');
  if (!check.test('\u{1F600}')) return;
  Object.defineProperty(check, 'test', { value: (text: string) => SQS_REFUSED_CHARACTER.test(text) });
}

/**
 * Browser uploads with a presigned POST (S3's POST Object), which fauxqs does not serve: checked
 * against their policy, then stored with a PutObject to fauxqs itself.
 */
function servePostObject(app: FastifyLike): void {
  app.addHook('onRequest', async (request, reply) => {
    const type =
      typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : undefined;
    if (!isPostObject(request.method, request.url, type)) return;
    const bucket = decodeURIComponent(new URL(request.url, 'http://local').pathname.replace(/^\/|\/$/g, ''));
    const outcome = await evaluatePostObject(bucket, await readForm(request.raw)).catch(() => ({
      status: 400,
      headers: { 'content-type': 'application/xml' },
      body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>MalformedPOSTRequest</Code></Error>',
      put: undefined,
    }));
    if (outcome.put) {
      const stored = await app.inject({
        method: 'PUT',
        url: `/${encodeURIComponent(outcome.put.bucket)}/${outcome.put.key.split('/').map(encodeURIComponent).join('/')}`,
        headers: { 'content-type': outcome.put.contentType ?? 'application/octet-stream' },
        payload: outcome.put.bytes,
      });
      if (stored.statusCode >= 300) {
        reply.code(stored.statusCode);
        reply.headers({ 'content-type': 'application/xml' });
        return reply.send(stored.body);
      }
    }
    reply.code(outcome.status);
    reply.headers(outcome.headers);
    return reply.send(outcome.body);
  });
}

/** Starts fauxqs (SQS, SNS and S3 on one endpoint) in this process, on 127.0.0.1. */
export async function startFauxqs(options: FauxqsOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? LOOPBACK;
  const { buildApp, SqsStore, SnsStore, S3Store } = await loadFauxqs();
  const sqsStore = new SqsStore();
  // Empty host: queue URLs take the request's Host header, i.e. the endpoint clients use.
  sqsStore.host = '';
  const app = buildApp({
    logger: options.logger ?? false,
    defaultRegion: options.region ?? 'us-east-1',
    stores: { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() },
  });
  servePostObject(app);
  const address = await app.listen({ port: options.port ?? 0, host });
  const port = Number(new URL(address).port);
  let stopping: Promise<void> | undefined;
  return { endpoint: endpointOf(host, port), port, stop: () => (stopping ??= app.close()) };
}
