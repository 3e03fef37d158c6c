// Talking to identity's HTTP API the way clients do: operators sign with SigV4 (IAM-authorised
// routes, as the CLI does), tenants send `Authorization: Bearer <api key>`.
import { createHash, createHmac } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_CREDENTIALS } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import type { ApiKeySummary } from '../../../src/domain/api-keys';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Buffer {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** The SHA-256 (and HMAC-SHA256) the SigV4 signer needs, from node:crypto. */
class Sha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** The platform's one error shape. */
export interface ErrorResponse {
  error: {
    code: string;
    message: string;
    details?: { path: string; message: string }[];
    correlationId: string;
  };
}

/** A key as the API shows it; `key` (the plaintext) only in the creation response. */
export type KeyView = ApiKeySummary & { key?: string };

export interface TenantView {
  tenantId: string;
  name: string;
  status: string;
  adminUserId: string;
  createdAt: string;
}

export interface CreatedTenantResponse {
  tenant: TenantView;
  adminUser: { userId: string; tenantId: string; email: string; role: string; groups: string[] };
  apiKey: KeyView & { key: string };
}

export interface KeyList {
  items: KeyView[];
  nextCursor: string | null;
}

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

async function toResponse<T>(response: Response): Promise<ApiResponse<T>> {
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
}

/** A request signed with SigV4 for `execute-api`, as an operator (or the CLI) sends it. */
export async function signedRequest<T = unknown>(
  cloud: Pick<RunningLocalCloud, 'apiUrl' | 'region'>,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse<T>> {
  const url = new URL(path, cloud.apiUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const signer = new SignatureV4({
    service: 'execute-api',
    region: cloud.region,
    credentials: LOCAL_CREDENTIALS,
    sha256: Sha256,
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => (query[key] = value));
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query,
    headers: {
      host: url.host,
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(payload === undefined ? {} : { body: payload }),
  });
  const { host: _host, ...headers } = signed.headers;
  return toResponse<T>(
    await fetch(url, { method, headers, ...(payload === undefined ? {} : { body: payload }) }),
  );
}

/** A request with `Authorization: Bearer <token>` (an API key or a person's JWT), or none. */
export async function bearerRequest<T = unknown>(
  cloud: Pick<RunningLocalCloud, 'apiUrl'>,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  return toResponse<T>(
    await fetch(new URL(path, cloud.apiUrl), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

let sequence = 0;

/** A unique, valid e-mail address per call, so tests never collide on the platform-wide claim. */
export function uniqueEmail(label: string): string {
  return `${label}.${process.pid}.${Date.now().toString(36)}.${sequence++}@example.com`;
}

/** Creates a tenant through the operator API and returns its admin key. */
export async function createTenant(
  cloud: Pick<RunningLocalCloud, 'apiUrl' | 'region'>,
  name = 'Acme',
): Promise<{ tenantId: string; adminKey: string; adminEmail: string; body: CreatedTenantResponse }> {
  const adminEmail = uniqueEmail('admin');
  const response = await signedRequest<CreatedTenantResponse>(cloud, 'POST', '/operator/tenants', {
    name,
    adminEmail,
  });
  if (response.status !== 201)
    throw new Error(`create tenant: ${response.status} ${JSON.stringify(response.body)}`);
  return {
    tenantId: response.body.tenant.tenantId,
    adminKey: response.body.apiKey.key,
    adminEmail,
    body: response.body,
  };
}
