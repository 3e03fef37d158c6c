/**
 * The CLI's HTTP client for identity's operator API. Every call is SigV4-signed (service
 * `execute-api`): on AWS the routes use IAM authorization and the credentials come from the default
 * provider chain; on the local cloud the gateway checks the same signature with the local secret
 * (`local`, for every access key id), so the same code path runs in both places.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Hash, Hmac } from 'node:crypto';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Command } from 'commander';
import { resolveTarget } from './target';
import type { Target } from './target';

type SignerCredentials = NonNullable<ConstructorParameters<typeof SignatureV4>[0]['credentials']>;
type AwsCredentialIdentity = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

/** What the local cloud accepts for every access key id (see libs/local-cloud/src/runner/gateway/iam-auth.ts). */
export const LOCAL_CREDENTIALS: AwsCredentialIdentity = { accessKeyId: 'local', secretAccessKey: 'local' };

/** An error the API answered with: `{ error: { code, message, correlationId } }` or a gateway's `{ message }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly correlationId?: string,
    readonly details: { path?: string; message?: string }[] = [],
  ) {
    super(message);
  }

  /**
   * `<message> (correlation id <id>)`, as the CLI prints it after `switchyard: `, then one line per
   * field the API reported (validation errors).
   */
  describe(): string {
    const head = this.correlationId ? `${this.message} (correlation id ${this.correlationId})` : this.message;
    const lines = this.details
      .filter((detail) => detail.message)
      .map((detail) => `  ${detail.path ? `${detail.path}: ` : ''}${detail.message}`);
    return [head, ...lines].join('\n');
  }
}

class Sha256 {
  private readonly hash: Hash | Hmac;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export interface ApiClientOptions {
  baseUrl: string;
  region: string;
  credentials: SignerCredentials;
  fetch?: typeof fetch;
}

export class OperatorApi {
  private readonly signer: SignatureV4;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    this.signer = new SignatureV4({
      service: 'execute-api',
      region: options.region,
      sha256: Sha256,
      credentials: options.credentials,
    });
    this.fetch = options.fetch ?? fetch;
  }

  /** Sends a signed request; resolves with the parsed JSON body (undefined for 204), throws ApiError. */
  async request<T>(
    method: string,
    path: string,
    options: { body?: unknown; query?: Record<string, string | undefined> } = {},
  ): Promise<T> {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const url = new URL(`${base}${path}`);
    for (const [key, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, value);
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = { host: url.host, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const query: Record<string, string | string[]> = {};
    for (const [key, value] of url.searchParams) {
      const existing = query[key];
      query[key] = existing === undefined ? value : [...[existing].flat(), value];
    }
    const signed = await this.signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      // The path exactly as it goes on the wire; the signer encodes it once more, as SigV4 requires.
      path: url.pathname,
      query,
      headers,
      body,
    });
    // fetch sets Host itself (to the same value) and refuses to be given one.
    const { host: _host, ...send } = signed.headers;
    let response: Response;
    try {
      response = await this.fetch(url, { method, headers: send, body });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new ApiError(0, `cannot reach ${base}${cause ? ` (${cause})` : ''}: ${(error as Error).message}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) throw toApiError(response.status, json, text, `${method} ${path}`);
    return json as T;
  }
}

function toApiError(status: number, json: unknown, text: string, call: string): ApiError {
  const error = (
    json as
      | {
          error?: { code?: string; message?: string; correlationId?: string; details?: unknown };
        }
      | undefined
  )?.error;
  if (error?.message) {
    const details = Array.isArray(error.details)
      ? (error.details as { path?: string; message?: string }[])
      : [];
    return new ApiError(status, error.message, error.code, error.correlationId, details);
  }
  const message = (json as { message?: string } | undefined)?.message;
  if (status === 404 && message === 'Not Found') {
    const service = call.includes('/operator/dlq-actions') ? 'ops' : 'identity';
    return new ApiError(
      status,
      `${call}: the API has no such route (is the ${service} service running and up to date?)`,
    );
  }
  if (status === 403 && message)
    return new ApiError(
      status,
      `${call} was refused (403 ${message}): check your AWS credentials and region`,
    );
  return new ApiError(status, `${call} answered ${status}: ${message ?? (text.slice(0, 200) || 'no body')}`);
}

/**
 * The API's one base URL on AWS: the `HttpApiUrl` output of the stack `platform-<stage>`, whose HTTP
 * API every service's routes attach to (its custom domain when the stage has one).
 */
export async function platformApiUrl(
  stage: string,
  region: string,
  client: CloudFormationClient = new CloudFormationClient({ region }),
): Promise<string> {
  const service = 'platform';
  const stackName = `${service}-${stage}`;
  let outputs: { OutputKey?: string; OutputValue?: string }[] | undefined;
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Stacks?.[0]?.Outputs;
  } catch (error) {
    const message = (error as Error).message;
    if (/does not exist/.test(message))
      throw new ApiError(
        0,
        `stack ${stackName} does not exist in ${region}: deploy ${service} to stage ${stage} first`,
      );
    throw new ApiError(0, `cannot read stack ${stackName} in ${region}: ${message}`);
  }
  const url = outputs?.find((output) => output.OutputKey === 'HttpApiUrl')?.OutputValue;
  if (!url) throw new ApiError(0, `stack ${stackName} in ${region} has no HttpApiUrl output`);
  return url;
}

export interface ApiDeps {
  fetch?: typeof fetch;
  cloudFormation?: CloudFormationClient;
  credentials?: SignerCredentials;
}

/**
 * The operator API for a target: the local cloud's gateway, or on AWS the platform's HTTP API, which
 * serves every service's routes under one base URL as the local gateway does.
 */
export async function operatorApi(target: Target, deps: ApiDeps = {}): Promise<OperatorApi> {
  if (target.kind === 'local') {
    return new OperatorApi({
      baseUrl: target.info.apiUrl,
      region: target.region,
      credentials: deps.credentials ?? LOCAL_CREDENTIALS,
      fetch: deps.fetch,
    });
  }
  const baseUrl = await platformApiUrl(target.stage, target.region, deps.cloudFormation);
  return new OperatorApi({
    baseUrl,
    region: target.region,
    credentials: deps.credentials ?? fromNodeProviderChain(),
    fetch: deps.fetch,
  });
}

/** What every command gets: where to print, and the operator API for its --stage/--region. */
export interface CommandContext {
  out: (text: string) => void;
  api: (options: { stage?: string; region?: string }) => Promise<OperatorApi>;
}

export function commandContext(out: (text: string) => void, deps: ApiDeps = {}): CommandContext {
  return {
    out,
    api: (options) => operatorApi(resolveTarget({ stage: options.stage, region: options.region }), deps),
  };
}

/** The options every API command shares: where it acts and whether it prints JSON. */
export function targetOptions(command: Command): Command {
  return command
    .option('--stage <stage>', 'act on this stage on AWS (default: the running local cloud)')
    .option('--region <region>', 'AWS region of the stage (default: AWS_REGION or us-east-1)')
    .option('--json', 'print JSON only (for scripts)');
}

/**
 * Every item of a paginated operator listing (`{ items, nextCursor }`), page by page: an operator
 * wants the whole list, and tenants hold few keys and people.
 */
export async function allPages<T>(api: OperatorApi, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await api.request<{ items?: T[]; nextCursor?: string | null }>('GET', path, {
      query: { limit: '100', cursor },
    });
    items.push(...(result.items ?? []));
    cursor = result.nextCursor ?? undefined;
    if (!cursor) break;
  }
  return items;
}

/** A plain-text table: a header row, then one row per item, columns padded to fit. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}
