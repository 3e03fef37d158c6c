/**
 * `AWS_IAM` authorization for the local HTTP API gateway: routes declared with
 * `authorizer: { type: aws_iam }` require a SigV4-signed request (service `execute-api`, the cloud's
 * region), as API Gateway does, and the function receives `requestContext.authorizer.iam`.
 *
 * Locally there is no IAM: every access key id is accepted and its secret is always
 * {@link LOCAL_SECRET_ACCESS_KEY} (`local`), the secret the local cloud gives every function and tool.
 * This is no security boundary (the gateway listens on 127.0.0.1 only); it exists so that the very
 * same signed-request code path (operator CLI, demo seeding) runs locally and on AWS, and so that a
 * request that would be refused on AWS (unsigned, tampered, stale) is refused here too.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Hash as NodeHash, Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_ACCOUNT_ID } from '../../types';

/** The secret of every access key on the local cloud. */
export const LOCAL_SECRET_ACCESS_KEY = 'local';
export const LOCAL_ACCESS_KEY_ID = 'local';
/** What API Gateway allows between the request's X-Amz-Date and its own clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
export const LOCAL_OPERATOR_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/local-operator`;
const LOCAL_OPERATOR_USER_ID = 'AIDALOCALOPERATOR0000';

/** `requestContext.authorizer.iam` of payload format 2.0. */
export interface IamAuthorizerContext {
  accessKey: string;
  accountId: string;
  callerId: string;
  cognitoIdentity: null;
  principalOrgId: null;
  userArn: string;
  userId: string;
}

export type IamOutcome =
  { ok: true; iam: IamAuthorizerContext } | { ok: false; statusCode: 403; message: string; reason: string };

export interface IamRequest {
  method: string;
  /** Path and query exactly as received, e.g. `/operator/tenants?limit=5`. */
  url: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: Buffer;
}

// The messages API Gateway answers with (403, `{"message": ...}`) for IAM authorization failures.
// With no Authorization header at all an HTTP API says "Forbidden" (REST APIs say "Missing
// Authentication Token"); for the other cases API Gateway passes on SigV4's own wording.
export const MESSAGES = {
  missing: 'Forbidden',
  malformed: 'Forbidden',
  mismatch:
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  scope: 'Credential should be scoped to a valid region.',
  service: "Credential should be scoped to correct service: 'execute-api'.",
};

/** SHA-256 and HMAC-SHA256 for @smithy/signature-v4, on node:crypto. */
export class Sha256 {
  private readonly hash: NodeHash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    if (secret === undefined) this.hash = createHash('sha256');
    else if (typeof secret === 'string') this.hash = createHmac('sha256', secret);
    else if (ArrayBuffer.isView(secret))
      this.hash = createHmac('sha256', Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength));
    else this.hash = createHmac('sha256', Buffer.from(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    if (typeof data === 'string') this.hash.update(data, 'utf8');
    else if (ArrayBuffer.isView(data))
      this.hash.update(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    else this.hash.update(Buffer.from(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/s.exec(header.trim());
  if (!match?.[1]) return undefined;
  const parts = new Map<string, string>();
  for (const part of match[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    parts.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = parts.get('Credential')?.split('/');
  const signedHeaders = parts.get('SignedHeaders');
  const signature = parts.get('Signature');
  if (!credential || credential.length !== 5 || credential[4] !== 'aws4_request') return undefined;
  const [accessKeyId, date, region, service] = credential as [string, string, string, string];
  if (!accessKeyId || !/^\d{8}$/.test(date) || !region || !service) return undefined;
  if (!signedHeaders || !signature || !/^[0-9a-f]{64}$/.test(signature)) return undefined;
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()),
    signature,
  };
}

/** `20240102T030405Z` → Date; undefined when malformed. */
export function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value) : null;
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as number[];
  const date = new Date(Date.UTC(y!, mo! - 1, d!, h!, mi!, s!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function deny(message: string, reason: string): IamOutcome {
  return { ok: false, statusCode: 403, message, reason };
}

/** The query as @smithy/signature-v4 takes it: decoded values, repeated keys as arrays. */
export function queryOf(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const existing = query[key];
    if (existing === undefined) query[key] = value;
    else query[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return query;
}

/**
 * Verifies a SigV4 signature the way API Gateway does for `AWS_IAM` routes: the signature is
 * recomputed over the request's method, path, query, signed headers and body hash with the local
 * secret, and the request date must be within 5 minutes of `now`.
 */
export async function verifyIamRequest(
  request: IamRequest,
  options: { region: string; now?: Date },
): Promise<IamOutcome> {
  const authorization = request.headers.authorization;
  if (!authorization) return deny(MESSAGES.missing, 'no Authorization header');
  const parsed = parseAuthorization(authorization);
  if (!parsed) return deny(MESSAGES.malformed, 'malformed SigV4 Authorization header');
  if (parsed.service !== 'execute-api')
    return deny(MESSAGES.service, `credential scoped to service ${parsed.service}`);
  if (parsed.region !== options.region)
    return deny(MESSAGES.scope, `credential scoped to ${parsed.region}, not ${options.region}`);

  const amzDate = request.headers['x-amz-date'];
  const signingDate = parseAmzDate(amzDate);
  if (!signingDate || !parsed.signedHeaders.includes('x-amz-date') || !parsed.signedHeaders.includes('host'))
    return deny(MESSAGES.malformed, 'X-Amz-Date and Host must be present and signed');
  if (!amzDate?.startsWith(parsed.date))
    return deny(MESSAGES.mismatch, 'credential date does not match X-Amz-Date');
  const now = options.now ?? new Date();
  const skew = signingDate.getTime() - now.getTime();
  if (Math.abs(skew) > MAX_CLOCK_SKEW_MS) {
    const bound = new Date(now.getTime() + (skew < 0 ? -MAX_CLOCK_SKEW_MS : MAX_CLOCK_SKEW_MS));
    const message =
      skew < 0
        ? `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(bound)} (${formatAmzDate(now)} - 5 min.)`
        : `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(bound)} (${formatAmzDate(now)} + 5 min.)`;
    return deny(message, 'request date more than 5 minutes off');
  }

  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return deny(MESSAGES.mismatch, `signed header ${name} is missing`);
    headers[name] = value;
  }
  // The payload hash is always the body's own: a signed x-amz-content-sha256 must agree with it.
  const declaredHash = headers['x-amz-content-sha256'];
  if (declaredHash !== undefined && declaredHash !== bodyHash)
    return deny(MESSAGES.mismatch, 'x-amz-content-sha256 does not match the body');

  const queryIndex = request.url.indexOf('?');
  const path = queryIndex >= 0 ? request.url.slice(0, queryIndex) : request.url;
  const rawQuery = queryIndex >= 0 ? request.url.slice(queryIndex + 1) : '';
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    sha256: Sha256,
    applyChecksum: false,
    credentials: {
      accessKeyId: parsed.accessKeyId,
      secretAccessKey: LOCAL_SECRET_ACCESS_KEY,
      sessionToken: headers['x-amz-security-token'],
    },
  });
  const [hostname = 'localhost', port] = (headers.host ?? '').split(':');
  const signed = await signer.sign(
    {
      method: request.method.toUpperCase(),
      protocol: 'http:',
      hostname,
      port: port ? Number(port) : undefined,
      path,
      query: queryOf(rawQuery),
      headers,
      body: request.body,
    },
    { signingDate, signableHeaders: new Set(parsed.signedHeaders) },
  );
  const expected = parseAuthorization(signed.headers.authorization ?? '');
  if (
    !expected ||
    expected.signedHeaders.join(';') !== parsed.signedHeaders.join(';') ||
    !timingSafeEqual(Buffer.from(expected.signature), Buffer.from(parsed.signature))
  ) {
    return deny(MESSAGES.mismatch, 'signature mismatch');
  }
  return {
    ok: true,
    iam: {
      accessKey: parsed.accessKeyId,
      accountId: LOCAL_ACCOUNT_ID,
      callerId: LOCAL_OPERATOR_USER_ID,
      cognitoIdentity: null,
      principalOrgId: null,
      userArn: LOCAL_OPERATOR_ARN,
      userId: LOCAL_OPERATOR_USER_ID,
    },
  };
}

/**
 * Signs a request for an `AWS_IAM` route with the local credentials (what the demo seeding uses);
 * returns the headers to send (without `host`, which fetch sets to the same value).
 */
export async function signLocalRequest(
  url: URL,
  init: { method: string; body?: string; headers?: Record<string, string> },
  region: string,
  credentials = { accessKeyId: LOCAL_ACCESS_KEY_ID, secretAccessKey: LOCAL_SECRET_ACCESS_KEY },
  signingDate?: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ service: 'execute-api', region, sha256: Sha256, credentials });
  const headers: Record<string, string> = { host: url.host, ...(init.headers ?? {}) };
  const signed = await signer.sign(
    {
      method: init.method.toUpperCase(),
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: queryOf(url.search.slice(1)),
      headers,
      body: init.body,
    },
    signingDate ? { signingDate } : {},
  );
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name !== 'host') out[name] = value;
  return out;
}
