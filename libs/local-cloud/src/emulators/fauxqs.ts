import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LOOPBACK, endpointOf } from './ports';
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
  const address = await app.listen({ port: options.port ?? 0, host });
  const port = Number(new URL(address).port);
  let stopping: Promise<void> | undefined;
  return { endpoint: endpointOf(host, port), port, stop: () => (stopping ??= app.close()) };
}
