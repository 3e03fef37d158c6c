import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpGateway } from '../../../src/runner/gateway/http-gateway';
import {
  LOCAL_OPERATOR_ARN,
  MESSAGES,
  Sha256,
  parseAmzDate,
  parseAuthorization,
  signLocalRequest,
  verifyIamRequest,
} from '../../../src/runner/gateway/iam-auth';
import type { IamRequest } from '../../../src/runner/gateway/iam-auth';
import type { InvocationResult, Invoker } from '../../../src/types';

const region = 'eu-west-1';
const now = new Date('2025-03-04T05:06:07Z');

/** Signs like any AWS client would: @smithy/signature-v4, service execute-api. */
async function signed(
  init: { method?: string; path?: string; query?: string; body?: string; headers?: Record<string, string> },
  options: { secret?: string; date?: Date; region?: string; service?: string; sessionToken?: string } = {},
): Promise<IamRequest> {
  const signer = new SignatureV4({
    service: options.service ?? 'execute-api',
    region: options.region ?? region,
    sha256: Sha256,
    credentials: {
      accessKeyId: 'AKIDLOCAL',
      secretAccessKey: options.secret ?? 'local',
      sessionToken: options.sessionToken,
    },
  });
  const path = init.path ?? '/operator/tenants';
  const query = new URLSearchParams(init.query ?? '');
  const request = await signer.sign(
    {
      method: init.method ?? 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 3000,
      path,
      query: Object.fromEntries(query),
      headers: { host: '127.0.0.1:3000', 'content-type': 'application/json', ...(init.headers ?? {}) },
      body: init.body,
    },
    { signingDate: options.date ?? now },
  );
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  return {
    method: init.method ?? 'POST',
    url: init.query ? `${path}?${init.query}` : path,
    headers,
    body: Buffer.from(init.body ?? ''),
  };
}

const verify = (request: IamRequest, at = now) => verifyIamRequest(request, { region, now: at });
const body = JSON.stringify({ name: 'Demo', adminEmail: 'admin@demo.switchyard.local' });

describe('AWS_IAM authorization (SigV4, service execute-api)', () => {
  it('accepts a request signed with @smithy/signature-v4 and the local secret', async () => {
    const outcome = await verify(await signed({ body }));
    expect(outcome).toEqual({
      ok: true,
      iam: {
        accessKey: 'AKIDLOCAL',
        accountId: '000000000000',
        callerId: expect.any(String),
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: LOCAL_OPERATOR_ARN,
        userId: expect.any(String),
      },
    });
    expect(LOCAL_OPERATOR_ARN).toBe('arn:aws:iam::000000000000:user/local-operator');
  });

  it('accepts GET requests with query strings (repeated and encoded values) and session tokens', async () => {
    const request = await signed(
      { method: 'GET', path: '/operator/tenants/t%201/keys', query: 'limit=5&cursor=a%2Bb%3D&x=1' },
      { sessionToken: 'session-token' },
    );
    expect(request.headers['x-amz-security-token']).toBe('session-token');
    expect((await verify(request)).ok).toBe(true);
  });

  it('accepts a request signed by signLocalRequest (what the seeding and the CLI send)', async () => {
    const url = new URL('http://127.0.0.1:3000/operator/tenants?limit=2');
    const headers = await signLocalRequest(
      url,
      { method: 'POST', body, headers: {} },
      region,
      undefined,
      now,
    );
    const request: IamRequest = {
      method: 'POST',
      url: '/operator/tenants?limit=2',
      headers: { ...headers, host: url.host },
      body: Buffer.from(body),
    };
    expect((await verify(request)).ok).toBe(true);
  });

  it('refuses a changed body', async () => {
    const request = await signed({ body });
    const outcome = await verify({ ...request, body: Buffer.from(body.replace('Demo', 'Evil')) });
    expect(outcome).toMatchObject({ ok: false, statusCode: 403, message: MESSAGES.mismatch });
  });

  it('refuses a request missing one of its signed headers', async () => {
    const request = await signed({ body }, {});
    delete request.headers['x-amz-content-sha256'];
    const outcome = await verify({ ...request, body: Buffer.from('{}') });
    expect(outcome.ok).toBe(false);
  });

  it('refuses a changed path', async () => {
    const request = await signed({ body });
    expect(await verify({ ...request, url: '/operator/tenant' })).toMatchObject({ ok: false });
  });

  it('refuses a changed query string', async () => {
    const request = await signed({ method: 'GET', path: '/operator/tenants/t1/keys', query: 'limit=5' });
    expect(await verify({ ...request, url: '/operator/tenants/t1/keys?limit=6' })).toMatchObject({
      ok: false,
    });
  });

  it('refuses a changed method', async () => {
    const request = await signed({ method: 'DELETE', path: '/operator/keys/k1' });
    expect(await verify({ ...request, method: 'GET' })).toMatchObject({ ok: false });
  });

  it('refuses a changed signed header', async () => {
    const request = await signed({ body });
    const outcome = await verify({
      ...request,
      headers: { ...request.headers, 'content-type': 'text/plain' },
    });
    expect(outcome).toMatchObject({ ok: false, message: MESSAGES.mismatch });
  });

  it('ignores unsigned headers (proxies add them)', async () => {
    const request = await signed({ body });
    expect(
      (await verify({ ...request, headers: { ...request.headers, 'x-forwarded-for': '10.0.0.1' } })).ok,
    ).toBe(true);
  });

  it('refuses a changed signature', async () => {
    const request = await signed({ body });
    const auth = request.headers.authorization!;
    const last = auth.at(-1) === '0' ? '1' : '0';
    const outcome = await verify({
      ...request,
      headers: { ...request.headers, authorization: `${auth.slice(0, -1)}${last}` },
    });
    expect(outcome).toMatchObject({ ok: false, statusCode: 403, message: MESSAGES.mismatch });
  });

  it('refuses a signature made with another secret', async () => {
    const outcome = await verify(await signed({ body }, { secret: 'real-aws-secret' }));
    expect(outcome).toMatchObject({ ok: false, message: MESSAGES.mismatch });
  });

  it('refuses a date more than 5 minutes in the past or the future, with AWS wording', async () => {
    const old = await signed({ body }, { date: new Date(now.getTime() - 6 * 60_000) });
    const expired = await verify(old);
    expect(expired).toMatchObject({ ok: false, statusCode: 403 });
    expect(expired.ok === false && expired.message).toBe(
      'Signature expired: 20250304T050007Z is now earlier than 20250304T050107Z (20250304T050607Z - 5 min.)',
    );
    const future = await signed({ body }, { date: new Date(now.getTime() + 6 * 60_000) });
    expect((await verify(future)).ok).toBe(false);
    const withinSkew = await signed({ body }, { date: new Date(now.getTime() - 4 * 60_000) });
    expect((await verify(withinSkew)).ok).toBe(true);
  });

  it('refuses a missing or malformed Authorization header with 403 Forbidden', async () => {
    const request = await signed({ body });
    const { authorization: _dropped, ...unsigned } = request.headers;
    expect(await verify({ ...request, headers: unsigned })).toMatchObject({
      ok: false,
      statusCode: 403,
      message: 'Forbidden',
    });
    for (const bad of [
      'Bearer sy_live_x',
      'AWS4-HMAC-SHA256 Credential=AKID/20250304/eu-west-1/execute-api/aws4_request',
      'AWS4-HMAC-SHA256 Credential=AKID/2025/eu-west-1/execute-api/aws4_request, SignedHeaders=host, Signature=00',
    ]) {
      expect(await verify({ ...request, headers: { ...request.headers, authorization: bad } })).toMatchObject(
        { ok: false, message: 'Forbidden' },
      );
    }
  });

  it('refuses a signature scoped to another region or service', async () => {
    expect(await verify(await signed({ body }, { region: 'us-east-1' }))).toMatchObject({
      ok: false,
      message: MESSAGES.scope,
    });
    expect(await verify(await signed({ body }, { service: 'lambda' }))).toMatchObject({
      ok: false,
      message: MESSAGES.service,
    });
  });

  it('parses the Authorization header and X-Amz-Date', () => {
    expect(
      parseAuthorization(
        `AWS4-HMAC-SHA256 Credential=AKID/20250304/eu-west-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`,
      ),
    ).toEqual({
      accessKeyId: 'AKID',
      date: '20250304',
      region: 'eu-west-1',
      service: 'execute-api',
      signedHeaders: ['host', 'x-amz-date'],
      signature: 'a'.repeat(64),
    });
    expect(parseAmzDate('20250304T050607Z')).toEqual(now);
    expect(parseAmzDate('2025-03-04')).toBeUndefined();
  });

  it('hashes like node:crypto (SHA-256 and HMAC-SHA256)', async () => {
    const plain = new Sha256();
    plain.update('abc');
    expect(Buffer.from(await plain.digest()).toString('hex')).toBe(
      createHash('sha256').update('abc').digest('hex'),
    );
    const keyed = new Sha256(new Uint8Array([1, 2, 3]));
    keyed.update(new Uint8Array([4, 5]));
    expect(Buffer.from(await keyed.digest()).toString('hex')).toBe(
      createHmac('sha256', Buffer.from([1, 2, 3]))
        .update(Buffer.from([4, 5]))
        .digest('hex'),
    );
  });
});

describe('the gateway on an AWS_IAM route', () => {
  const events: unknown[] = [];
  const invoker: Invoker = {
    invoke: (_name: string, event: unknown): Promise<InvocationResult> => {
      events.push(event);
      return Promise.resolve({
        ok: true,
        result: { statusCode: 201, body: '{"created":true}' },
      } as InvocationResult);
    },
  };
  const gateway = new HttpGateway({
    invoker,
    region,
    routes: [
      {
        service: 'identity',
        method: 'POST',
        path: '/operator/tenants',
        routeKey: 'POST /operator/tenants',
        functionName: 'identity-local-createTenant',
        timeoutInMillis: 5_000,
        iam: true,
      },
    ],
  });
  let url: string;
  beforeAll(async () => {
    url = (await gateway.start()).url;
  });
  afterAll(() => gateway.stop());

  it('passes a signed request with requestContext.authorizer.iam, and refuses an unsigned one', async () => {
    const target = new URL(`${url}/operator/tenants`);
    const headers = await signLocalRequest(
      target,
      { method: 'POST', body, headers: { 'content-type': 'application/json' } },
      region,
    );
    const ok = await fetch(target, { method: 'POST', headers, body });
    expect(ok.status).toBe(201);
    const event = events.at(-1) as { requestContext: { authorizer: { iam: Record<string, unknown> } } };
    expect(event.requestContext.authorizer.iam).toMatchObject({
      accessKey: 'local',
      accountId: '000000000000',
      principalOrgId: null,
      userArn: 'arn:aws:iam::000000000000:user/local-operator',
    });

    const count = events.length;
    const unsigned = await fetch(target, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({
      message: 'Forbidden',
      error: { code: 'forbidden', message: 'Forbidden', correlationId: expect.any(String) },
    });
    const tampered = await fetch(target, { method: 'POST', headers, body: body.replace('Demo', 'Evil') });
    expect(tampered.status).toBe(403);
    expect(events.length).toBe(count);
  });
});
