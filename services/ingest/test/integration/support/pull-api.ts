// Talking to the pull API the way consumers do (Authorization: Bearer <api key>), plus what the
// tests need from identity: tenants through its IAM-signed operator API (as the CLI does) and keys
// through POST /keys. Keys reach ingest through its projection of identity's events, so a new key is
// waited for (`untilAuthenticated`) before use.
import { setTimeout as sleep } from 'node:timers/promises';
import { NEGATIVE_CACHE_TTL_MS } from '@switchyard/access';
import { LOCAL_CREDENTIALS, OperatorApi } from '@switchyard/cli/src/api';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import type { ErrorResponse, EventView, InboxPage } from '../../../src/api-schemas';

export type { ErrorResponse, EventView, InboxPage };

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export async function request<T = unknown>(
  cloud: Pick<RunningLocalCloud, 'apiUrl'>,
  key: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {};
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(new URL(path, cloud.apiUrl), {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
}

let counter = 0;
export function uniqueEmail(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${counter++}@example.com`;
}

/** A new tenant (identity's operator route, SigV4-signed) with its admin API key. */
export async function createTenant(
  cloud: Pick<RunningLocalCloud, 'apiUrl' | 'region'>,
  name: string,
): Promise<{ tenantId: string; adminKey: string }> {
  const operator = new OperatorApi({
    baseUrl: cloud.apiUrl,
    region: cloud.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const created = await operator.request<{ tenant: { tenantId: string }; apiKey: { key: string } }>(
    'POST',
    '/operator/tenants',
    { body: { name, adminEmail: uniqueEmail('admin') } },
  );
  return { tenantId: created.tenant.tenantId, adminKey: created.apiKey.key };
}

/** A key of `role` created by a tenant admin through identity (POST /keys). */
export async function createKey(
  cloud: Pick<RunningLocalCloud, 'apiUrl'>,
  adminKey: string,
  role: 'viewer' | 'creator' | 'admin',
): Promise<string> {
  const response = await request<{ apiKey: { key: string } }>(cloud, adminKey, 'POST', '/keys', { role });
  if (response.status !== 201)
    throw new Error(`create key: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.apiKey.key;
}

/**
 * Waits until ingest's projection knows `key` (GET /inbox answers 200), then, if any instance
 * refused it meanwhile, past the bound for which that instance may still hold the key as unknown.
 */
export async function untilAuthenticated(
  cloud: Pick<RunningLocalCloud, 'apiUrl'>,
  key: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let refused = false;
  for (;;) {
    const response = await request(cloud, key, 'GET', '/inbox?limit=1');
    if (response.status === 200) break;
    if (response.status !== 401)
      throw new Error(`probing the key: ${response.status} ${JSON.stringify(response.body)}`);
    refused = true;
    if (Date.now() > deadline) throw new Error('the key never reached ingest');
    await sleep(250);
  }
  if (refused) await sleep(NEGATIVE_CACHE_TTL_MS + 100);
}

/** Publishes events in one batch (one request, so rate limits per second are not in the way). */
export async function publishMany(
  cloud: Pick<RunningLocalCloud, 'apiUrl'>,
  key: string,
  events: { event_type: string; payload: Record<string, unknown> }[],
): Promise<string[]> {
  const response = await request<{ results: { status: string; event_id?: string }[] }>(
    cloud,
    key,
    'POST',
    '/events/batch',
    { events },
  );
  if (response.status !== 202)
    throw new Error(`publish: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body.results.map((result) => result.event_id as string);
}

/** Every page of the inbox (no leases), following next_cursor. */
export async function listAll(
  cloud: Pick<RunningLocalCloud, 'apiUrl'>,
  key: string,
  limit = 200,
): Promise<EventView[]> {
  const events: EventView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `/inbox?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page: ApiResponse<InboxPage> = await request<InboxPage>(cloud, key, 'GET', query);
    if (page.status !== 200) throw new Error(`list: ${page.status} ${JSON.stringify(page.body)}`);
    events.push(...page.body.events);
    cursor = page.body.next_cursor;
  } while (cursor);
  return events;
}
