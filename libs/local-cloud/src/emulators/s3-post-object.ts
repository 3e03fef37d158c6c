/**
 * S3's POST Object (browser uploads with a presigned POST policy), which fauxqs does not serve: the
 * form's policy is checked as S3 checks it (its SigV4 signature, expiration, every condition, every
 * field covered), then the file is stored with an ordinary PutObject inside fauxqs. Locally every
 * credential's secret is `local`, so the signature is verified with that secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOCAL_SECRET = 'local';

export interface PostObjectOutcome {
  status: number;
  body: string;
  headers: Record<string, string>;
  /** What to store when the upload is accepted. */
  put?: { bucket: string; key: string; contentType?: string; bytes: Buffer };
}

type Condition = Record<string, unknown> | unknown[];

const xmlError = (status: number, code: string, message: string): PostObjectOutcome => ({
  status,
  headers: { 'content-type': 'application/xml' },
  body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
});

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** The SigV4 signature S3 expects of a POST policy (base64) for `credential` (AKID/date/region/s3/aws4_request). */
export function policySignature(policy: string, credential: string, secret = LOCAL_SECRET): string {
  const [, date = '', region = '', service = 's3'] = credential.split('/');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return createHmac('sha256', key).update(policy).digest('hex');
}

/** True when `request` is a POST Object: a multipart form posted to a bucket's root. */
export function isPostObject(method: string, url: string, contentType: string | undefined): boolean {
  if (method !== 'POST' || !contentType?.toLowerCase().startsWith('multipart/form-data')) return false;
  const { pathname, search } = new URL(url, 'http://local');
  return search === '' && /^\/[^/]+\/?$/.test(pathname);
}

/** Checks the form against its policy as S3 does; the outcome says what to answer and store. */
export async function evaluatePostObject(
  bucket: string,
  form: FormData,
  now: Date = new Date(),
): Promise<PostObjectOutcome> {
  const file = form.get('file');
  if (!(file instanceof Blob))
    return xmlError(400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
  const fields = new Map<string, string>();
  for (const [name, value] of form.entries()) {
    if (name === 'file') continue;
    if (typeof value === 'string') fields.set(name.toLowerCase(), value);
  }
  const policy = fields.get('policy');
  const credential = fields.get('x-amz-credential') ?? '';
  const signature = fields.get('x-amz-signature') ?? '';
  if (!policy || !signature) return xmlError(403, 'AccessDenied', 'Anonymous uploads are not allowed.');
  const expected = Buffer.from(policySignature(policy, credential));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return xmlError(403, 'SignatureDoesNotMatch', 'The request signature does not match.');
  }
  let document: { expiration?: string; conditions?: Condition[] };
  try {
    document = JSON.parse(Buffer.from(policy, 'base64').toString('utf8')) as typeof document;
  } catch {
    return xmlError(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  }
  if (!document.expiration || Date.parse(document.expiration) <= now.getTime()) {
    return xmlError(403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
  }
  const values = new Map(fields);
  values.set('bucket', bucket);
  const covered = new Set(['bucket', 'policy', 'x-amz-signature', 'file']);
  const size = file.size;
  for (const condition of document.conditions ?? []) {
    let op: string;
    let field: string;
    let expectedValue: unknown;
    if (Array.isArray(condition)) {
      const [first, second, third] = condition as [string, unknown, unknown];
      if (first === 'content-length-range') {
        if (size < Number(second))
          return xmlError(
            400,
            'EntityTooSmall',
            'Your proposed upload is smaller than the minimum allowed size.',
          );
        if (size > Number(third))
          return xmlError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size.');
        continue;
      }
      op = String(first).toLowerCase();
      field = String(second).replace(/^\$/, '').toLowerCase();
      expectedValue = third;
    } else {
      const [[name, value] = ['', '']] = Object.entries(condition);
      op = 'eq';
      field = name.toLowerCase();
      expectedValue = value;
    }
    covered.add(field);
    const actual = values.get(field) ?? '';
    const ok =
      op === 'eq'
        ? actual === String(expectedValue)
        : op === 'starts-with'
          ? actual.startsWith(String(expectedValue))
          : false;
    if (!ok) return xmlError(403, 'AccessDenied', 'Invalid according to Policy: Policy Condition failed.');
  }
  for (const name of fields.keys()) {
    if (!covered.has(name) && !name.startsWith('x-ignore-')) {
      return xmlError(403, 'AccessDenied', 'Invalid according to Policy: Extra input fields.');
    }
  }
  const key = (values.get('key') ?? '').replace('${filename}', file instanceof File ? file.name : '');
  if (!key) return xmlError(400, 'InvalidArgument', 'Bucket POST must contain a field named key.');
  const contentType = values.get('content-type');
  return {
    status: 204,
    body: '',
    headers: { location: `/${bucket}/${encodeURIComponent(key)}` },
    put: {
      bucket,
      key,
      ...(contentType ? { contentType } : {}),
      bytes: Buffer.from(await file.arrayBuffer()),
    },
  };
}

/** Reads a POST Object request's form (the raw request, as the web platform parses multipart). */
export async function readForm(raw: IncomingMessage): Promise<FormData> {
  const chunks: Buffer[] = [];
  for await (const chunk of raw) chunks.push(chunk as Buffer);
  const headers = new Headers();
  headers.set('content-type', String(raw.headers['content-type']));
  return new Request('http://local/', { method: 'POST', headers, body: Buffer.concat(chunks) }).formData();
}
