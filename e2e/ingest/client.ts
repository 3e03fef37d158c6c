/**
 * A typed client of the ingest API for black-box tests. Its types are GENERATED from the OpenAPI
 * document ingest serves (`openapi-types.ts`, by openapi-typescript; committed, and a unit test in
 * services/ingest fails when it is stale), so a test that compiles talks the documented API. Every
 * call returns `{ status, body, headers }` where `body` is typed per documented status: narrowing on
 * `status` gives the success body or the platform's error shape.
 */
import type { components, operations } from './openapi-types';

export type Schemas = components['schemas'];
export type EventView = Schemas['EventView'];
export type InboxPage = Schemas['InboxPage'];
export type AcceptedEvent = Schemas['AcceptedEvent'];
export type ErrorResponse = Schemas['ErrorResponse'];
export type StatusResponse = Schemas['StatusResponse'];

type JsonBody<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;
type ResponsesOf<Op> = Op extends { responses: infer R } ? R : never;

/** One answer of operation `Op`: the status narrows the body to what the document says for it. */
export type ApiResponse<Op> = {
  [S in keyof ResponsesOf<Op> & number]: { status: S; body: JsonBody<ResponsesOf<Op>[S]>; headers: Headers };
}[keyof ResponsesOf<Op> & number];

type Query<Op> = Op extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

export interface IngestClientOptions {
  /** Base URL of the API, e.g. the local cloud's `apiUrl`. */
  baseUrl: string;
  /** An API key (`Authorization: Bearer`); omit for unauthenticated calls. */
  apiKey?: string;
  fetch?: typeof fetch;
}

export class IngestClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: IngestClientOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** The same client with another key (or none). */
  withKey(apiKey: string | undefined): IngestClient {
    const { apiKey: _old, ...rest } = this.options;
    return new IngestClient(apiKey === undefined ? rest : { ...rest, apiKey });
  }

  publishEvent(
    body: Schemas['PublishEventRequest'],
    headers: { 'Idempotency-Key'?: string } = {},
  ): Promise<ApiResponse<operations['publishEvent']>> {
    return this.request('POST', '/events', { json: body, headers });
  }

  /** CloudEvents structured mode (`application/cloudevents+json`). */
  publishCloudEvent(event: Record<string, unknown>): Promise<ApiResponse<operations['publishEvent']>> {
    return this.request('POST', '/events', { json: event, contentType: 'application/cloudevents+json' });
  }

  publishBatch(body: Schemas['PublishBatchRequest']): Promise<ApiResponse<operations['publishBatch']>> {
    return this.request('POST', '/events/batch', { json: body });
  }

  listInbox(query: Query<operations['listInbox']> = {}): Promise<ApiResponse<operations['listInbox']>> {
    return this.request('GET', '/inbox', { query });
  }

  getEvent(id: string): Promise<ApiResponse<operations['getEvent']>> {
    return this.request('GET', `/events/${encodeURIComponent(id)}`);
  }

  acknowledgeEvent(id: string): Promise<ApiResponse<operations['acknowledgeEvent']>> {
    return this.request('DELETE', `/events/${encodeURIComponent(id)}`);
  }

  releaseLease(id: string, leaseToken: string): Promise<ApiResponse<operations['releaseLease']>> {
    return this.request('POST', `/events/${encodeURIComponent(id)}/release`, {
      json: { lease_token: leaseToken },
    });
  }

  getStatus(): Promise<ApiResponse<operations['getStatus']>> {
    return this.request('GET', '/status');
  }

  getOpenApiDocument(): Promise<ApiResponse<operations['getOpenApiDocument']>> {
    return this.request('GET', '/openapi.json');
  }

  private async request<R>(
    method: string,
    path: string,
    options: {
      json?: unknown;
      contentType?: string;
      query?: Record<string, string | number | undefined>;
      headers?: Record<string, string | undefined>;
    } = {},
  ): Promise<R> {
    const url = new URL(path.replace(/^\//, ''), this.options.baseUrl.replace(/\/?$/, '/'));
    for (const [name, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {};
    if (this.options.apiKey !== undefined) headers.authorization = `Bearer ${this.options.apiKey}`;
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value !== undefined) headers[name] = value;
    }
    if (options.json !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    const response = await this.fetchImpl(url, {
      method,
      headers,
      ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as unknown) : undefined,
      headers: response.headers,
    } as R;
  }
}
