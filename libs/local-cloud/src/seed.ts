/**
 * Seeds the demo tenant once the local cloud is ready: through identity's operator API, SigV4-signed
 * with the local credentials, exactly as the operator CLI does on AWS. With `--persist` the tenant
 * (and its admin key) are remembered in `<stateDir>/demo.json` and reused across restarts as long as
 * identity still knows the tenant and the key still works.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { NEGATIVE_CACHE_TTL_MS } from '@switchyard/access/src/api-keys';
import type { DemoTenant } from './dev-info';
import { signLocalRequest } from './runner/gateway/iam-auth';

export const DEMO_TENANT_NAME = 'Demo';
export const DEMO_ADMIN_EMAIL = 'admin@demo.switchyard.local';

export const IDENTITY_NOT_RUNNING =
  'the identity service is not running in this local cloud, so there is no demo tenant or API key (identity seeds them when it runs)';

export interface SeedOptions {
  apiUrl: string;
  region: string;
  stateDir: string;
  persist: boolean;
  log: (line: string) => void;
  /** For tests. */
  fetch?: typeof fetch;
}

export type SeedOutcome = { ok: true; demo: DemoTenant; reused: boolean } | { ok: false; reason: string };

class SeedError extends Error {}

interface CreateTenantResponse {
  tenant?: { tenantId?: string; id?: string };
  apiKey?: { keyId?: string; key?: string };
}

/** Calls an operator (AWS_IAM) route; returns status and parsed JSON body. */
async function operatorCall(
  options: SeedOptions,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const url = new URL(path, options.apiUrl);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = await signLocalRequest(
    url,
    { method, body: text, headers: text ? { 'content-type': 'application/json' } : {} },
    options.region,
  );
  const response = await (options.fetch ?? fetch)(url, { method, headers, body: text });
  const raw = await response.text();
  let json: unknown = undefined;
  try {
    json = raw ? JSON.parse(raw) : undefined;
  } catch {
    json = raw;
  }
  return { status: response.status, json };
}

function describeFailure(method: string, path: string, status: number, json: unknown): string {
  const error = (json as { error?: { message?: string; correlationId?: string } } | undefined)?.error;
  const message =
    error?.message ?? (json as { message?: string } | undefined)?.message ?? JSON.stringify(json ?? '');
  const correlation = error?.correlationId ? ` (correlation id ${error.correlationId})` : '';
  return `${method} ${path} answered ${status}: ${message}${correlation}`;
}

async function createDemoTenant(options: SeedOptions): Promise<DemoTenant> {
  const path = '/operator/tenants';
  const { status, json } = await operatorCall(options, 'POST', path, {
    name: DEMO_TENANT_NAME,
    adminEmail: DEMO_ADMIN_EMAIL,
  });
  if (status !== 201 && status !== 200) throw new SeedError(describeFailure('POST', path, status, json));
  const created = json as CreateTenantResponse;
  const tenantId = created.tenant?.tenantId ?? created.tenant?.id;
  const apiKey = created.apiKey?.key;
  if (!tenantId || !apiKey)
    throw new SeedError(`POST ${path} answered ${status} without tenant.tenantId and apiKey.key`);
  return { tenantId, apiKey, adminEmail: DEMO_ADMIN_EMAIL };
}

/** Whether identity still knows the tenant, and whether the saved admin key still works. */
async function stillValid(options: SeedOptions, saved: DemoTenant): Promise<'ok' | 'no-tenant' | 'no-key'> {
  const path = `/operator/tenants/${encodeURIComponent(saved.tenantId)}`;
  const tenant = await operatorCall(options, 'GET', path);
  if (tenant.status === 404) return 'no-tenant';
  if (tenant.status !== 200) throw new SeedError(describeFailure('GET', path, tenant.status, tenant.json));
  const keys = await (options.fetch ?? fetch)(new URL('/keys?limit=1', options.apiUrl), {
    headers: { authorization: `Bearer ${saved.apiKey}` },
  });
  await keys.arrayBuffer();
  return keys.status === 200 ? 'ok' : 'no-key';
}

async function newAdminKey(options: SeedOptions, saved: DemoTenant): Promise<DemoTenant> {
  const path = `/operator/tenants/${encodeURIComponent(saved.tenantId)}/keys`;
  const { status, json } = await operatorCall(options, 'POST', path, {
    role: 'admin',
    ownerEmail: saved.adminEmail,
    description: 'local cloud demo admin key',
  });
  // POST /keys answers `{ apiKey: { keyId, key, ... } }`; the operator route mirrors it.
  const created = json as { apiKey?: { key?: string }; key?: string } | undefined;
  const key = created?.apiKey?.key ?? created?.key;
  if (status !== 201 || !key) throw new SeedError(describeFailure('POST', path, status, json));
  return { ...saved, apiKey: key };
}

function readSaved(file: string): DemoTenant | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Partial<DemoTenant>;
    if (saved.tenantId && saved.apiKey && saved.adminEmail)
      return { tenantId: saved.tenantId, apiKey: saved.apiKey, adminEmail: saved.adminEmail };
  } catch {
    // A damaged file is as good as none: a new demo tenant is created.
  }
  return undefined;
}

function save(file: string, demo: DemoTenant): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

/** Creates (or, with persist, reuses) the demo tenant. Never throws: a failure is a reason. */
export async function seedDemoTenant(options: SeedOptions): Promise<SeedOutcome> {
  const file = join(options.stateDir, 'demo.json');
  try {
    const saved = options.persist ? readSaved(file) : undefined;
    if (saved) {
      const state = await stillValid(options, saved);
      if (state === 'ok') return { ok: true, demo: saved, reused: true };
      if (state === 'no-key') {
        options.log(`demo tenant ${saved.tenantId}: the saved admin key no longer works; creating a new one`);
        const demo = await newAdminKey(options, saved);
        save(file, demo);
        return { ok: true, demo, reused: true };
      }
      options.log(`demo tenant ${saved.tenantId} no longer exists; creating a new one`);
    }
    const demo = await createDemoTenant(options);
    if (options.persist) save(file, demo);
    return { ok: true, demo, reused: false };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, reason: `seeding the demo tenant through identity failed: ${message}` };
  }
}

/** A route the demo key may be probed on: its path, and the service that answers it. */
export interface ProbeRoute {
  service: string;
  path: string;
}

/**
 * The routes that may show whether the demo key works on a service: GETs without path parameters that
 * the gateway leaves to the function to authenticate (no JWT authorizer, no IAM). A key is usable
 * on a service only once the service's own projection of it has caught up with identity.
 */
export function demoKeyProbes(
  routes: { service: string; method: string; path?: string; authorizer?: unknown; iam?: boolean }[],
): ProbeRoute[] {
  return routes
    .filter((r) => r.method === 'GET' && r.path && !r.path.includes('{') && !r.authorizer && !r.iam)
    .map((r) => ({ service: r.service, path: r.path as string }));
}

/** Status of a GET of `path`, with the key when given; undefined when nothing answered. */
async function probeStatus(
  options: { apiUrl: string; fetch?: typeof fetch },
  path: string,
  apiKey?: string,
): Promise<number | undefined> {
  const response = await (options.fetch ?? fetch)(new URL(path, options.apiUrl), {
    headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
  }).catch(() => undefined);
  await response?.arrayBuffer().catch(() => undefined);
  return response?.status;
}

/** Each service's deciding route: the first of its probes that refuses a request without a key. */
export type GuardedRoutes = Map<string, ProbeRoute | undefined>;

async function guardedRouteOf(
  options: { apiUrl: string; fetch?: typeof fetch },
  probes: ProbeRoute[],
): Promise<ProbeRoute | undefined> {
  for (const probe of probes) {
    const anonymous = await probeStatus(options, probe.path);
    // No answer says nothing about the route: it is taken as one that checks keys.
    if (anonymous === 401 || anonymous === undefined) return probe;
  }
  return undefined;
}

/**
 * Finds each service's deciding route (a public route answers anyone and shows nothing), asking
 * without a key. A worker that never saw the key caches nothing about it, so this may run while the
 * key is still on its way to the services' projections: one service after another, so its first
 * invocations take one worker at a time beside that way, and the probes with the key find their
 * functions loaded.
 */
export async function guardedProbeRoutes(options: {
  apiUrl: string;
  probes: ProbeRoute[];
  fetch?: typeof fetch;
}): Promise<GuardedRoutes> {
  const guarded: GuardedRoutes = new Map();
  for (const service of new Set(options.probes.map((p) => p.service))) {
    guarded.set(
      service,
      await guardedRouteOf(
        options,
        options.probes.filter((p) => p.service === service),
      ),
    );
  }
  return guarded;
}

/**
 * Waits until each service accepts the demo key (its key projection has it), so the banner prints
 * only when the key it shows works everywhere. Returns the services that still refused it when
 * `timeoutMs` ran out.
 *
 * One route per service decides, since all of a service's functions read its one projection (and a
 * function that never saw the key has nothing cached about it): `guarded` when given (see
 * guardedProbeRoutes), else found here. Services are probed side by side (each one's first request
 * starts its workers, and those starts overlap), a service's own requests one after another (so they
 * reuse its first worker).
 */
export async function untilDemoKeyAccepted(options: {
  apiUrl: string;
  apiKey: string;
  probes: ProbeRoute[];
  guarded?: GuardedRoutes;
  timeoutMs?: number;
  fetch?: typeof fetch;
}): Promise<string[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastRefusedAt: number | undefined;
  const services = [...new Set(options.probes.map((p) => p.service))];
  const lagging = await Promise.all(
    services.map(async (service): Promise<string | undefined> => {
      const guarded = options.guarded?.has(service)
        ? options.guarded.get(service)
        : await guardedRouteOf(
            options,
            options.probes.filter((p) => p.service === service),
          );
      if (!guarded) return undefined;
      for (;;) {
        const answer = await probeStatus(options, guarded.path, options.apiKey);
        if (answer !== undefined && answer !== 401) return undefined;
        lastRefusedAt = Date.now();
        if (Date.now() >= deadline) return service;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }),
  );
  // A worker that refused the key keeps it as unknown for a moment (the key verifier's negative
  // cache), and the next request may reach that worker rather than the one that accepted: only the
  // probes used the key, so once that long has passed since the last refusal, every worker reads
  // the projection again.
  const refusing = lagging.filter((service): service is string => service !== undefined);
  if (refusing.length === 0 && lastRefusedAt !== undefined) {
    const wait = lastRefusedAt + NEGATIVE_CACHE_TTL_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return refusing;
}
