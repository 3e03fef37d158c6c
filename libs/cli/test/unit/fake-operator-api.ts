/**
 * A small in-memory stand-in for identity's operator routes, behind the local cloud's real SigV4
 * check (libs/local-cloud's iam-auth), so the CLI's signing is tested against the verifier the local
 * gateway runs. Not a test file itself (jest runs *.test.ts only).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyIamRequest } from '../../../local-cloud/src/runner/gateway/iam-auth';

export interface FakeKey {
  keyId: string;
  tenantId: string;
  role: string;
  status: string;
  ownerEmail?: string;
  name?: string;
  createdAt: string;
  display: string;
}

export interface FakeUser {
  userId: string;
  tenantId: string;
  email: string;
  displayName: string | null;
  groups: string[];
  role: string;
  status: string;
  createdAt: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export class FakeOperatorApi {
  readonly requests: RecordedRequest[] = [];
  readonly tenants = new Map<string, { tenantId: string; name: string }>();
  readonly keys: FakeKey[] = [];
  readonly users: FakeUser[] = [];
  /** Page size the fake uses for GET .../keys, whatever limit is asked (to exercise paging). */
  pageSize = 2;
  private server?: Server;
  private counter = 0;

  constructor(private readonly region = 'eu-west-1') {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, body }) => {
        const text = body === undefined ? '' : JSON.stringify(body);
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(text);
      });
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((done) => {
      this.server?.close(() => done());
      this.server?.closeAllConnections();
    });
  }

  private nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}${String(this.counter).padStart(4, '0')}`;
  }

  private newKey(
    tenantId: string,
    role: string,
    ownerEmail?: string,
    name?: string,
  ): FakeKey & { key: string } {
    const keyId = this.nextId('k');
    const key: FakeKey = {
      keyId,
      tenantId,
      role,
      status: 'active',
      ...(ownerEmail ? { ownerEmail } : {}),
      ...(name ? { name } : {}),
      createdAt: '2025-03-04T05:06:07.000Z',
      display: `sy_live_${keyId}_…`,
    };
    this.keys.push(key);
    return { ...key, key: `sy_live_${keyId}_secret${keyId}` };
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body?: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = String(value);
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const body = raw.length ? (JSON.parse(raw.toString()) as Record<string, string>) : undefined;
    this.requests.push({ method, url, headers, body });

    const auth = await verifyIamRequest({ method, url, headers, body: raw }, { region: this.region });
    if (!auth.ok) return { status: 403, body: { message: auth.message } };

    const { pathname, searchParams } = new URL(url, 'http://x');
    const error = (status: number, code: string, message: string) => ({
      status,
      body: { error: { code, message, correlationId: 'corr-123' } },
    });
    let m: RegExpExecArray | null;
    if (method === 'POST' && pathname === '/operator/tenants') {
      if (!body?.name || !body.adminEmail)
        return error(400, 'validation_failed', 'name and adminEmail are required');
      const tenant = { tenantId: this.nextId('ten_'), name: body.name, status: 'active' };
      this.tenants.set(tenant.tenantId, tenant);
      const adminUser = { userId: this.nextId('usr_'), email: body.adminEmail, role: 'admin' };
      const apiKey = this.newKey(tenant.tenantId, 'admin', body.adminEmail);
      return { status: 201, body: { tenant, adminUser, apiKey } };
    }
    if ((m = /^\/operator\/tenants\/([^/]+)\/keys$/.exec(pathname))) {
      const tenantId = decodeURIComponent(m[1]!);
      if (!this.tenants.has(tenantId)) return error(404, 'not_found', 'No such tenant.');
      if (method === 'POST') {
        if (!['viewer', 'creator', 'admin'].includes(body?.role ?? ''))
          return error(400, 'validation_failed', 'role must be viewer, creator or admin');
        return {
          status: 201,
          body: { apiKey: this.newKey(tenantId, body!.role!, body!.ownerEmail, body!.description) },
        };
      }
      if (method === 'GET') {
        const all = this.keys.filter((key) => key.tenantId === tenantId);
        const start = Number(searchParams.get('cursor') ?? 0);
        const items = all.slice(start, start + this.pageSize);
        const next = start + this.pageSize < all.length ? String(start + this.pageSize) : null;
        return { status: 200, body: { items, nextCursor: next } };
      }
    }
    if ((m = /^\/operator\/tenants\/([^/]+)\/users$/.exec(pathname))) {
      const tenantId = decodeURIComponent(m[1]!);
      if (!this.tenants.has(tenantId)) return error(404, 'not_found', 'No such tenant.');
      if (method === 'POST') {
        if (!body?.email?.includes('@'))
          return {
            status: 400,
            body: {
              error: {
                code: 'validation_failed',
                message: 'Request validation failed',
                details: [{ path: 'email', message: 'a valid e-mail address' }],
                correlationId: 'corr-456',
              },
            },
          };
        if (this.users.some((user) => user.email === body.email))
          return error(409, 'email_taken', 'The e-mail address already belongs to a user.');
        const groups = (body as unknown as { groups?: string[] }).groups ?? [];
        const user: FakeUser = {
          userId: this.nextId('usr_'),
          tenantId,
          email: body.email,
          displayName: null,
          groups,
          role: groups.includes('Admins') ? 'admin' : 'viewer',
          status: 'active',
          createdAt: '2025-03-04T05:06:07.000Z',
        };
        this.users.push(user);
        return { status: 201, body: { user } };
      }
      if (method === 'GET') {
        const all = this.users.filter((user) => user.tenantId === tenantId);
        const start = Number(searchParams.get('cursor') ?? 0);
        const items = all.slice(start, start + this.pageSize);
        const next = start + this.pageSize < all.length ? String(start + this.pageSize) : null;
        return { status: 200, body: { items, nextCursor: next } };
      }
    }
    if (method === 'DELETE' && (m = /^\/operator\/users\/([^/]+)$/.exec(pathname))) {
      const index = this.users.findIndex((user) => user.userId === decodeURIComponent(m![1]!));
      if (index < 0) return error(404, 'not_found', 'No such user.');
      const { tenantId, role } = this.users[index]!;
      const admins = this.users.filter((user) => user.tenantId === tenantId && user.role === 'admin');
      if (role === 'admin' && admins.length === 1)
        return error(409, 'last_admin', 'A tenant must keep at least one active admin.');
      this.users.splice(index, 1);
      return { status: 204 };
    }
    if (method === 'DELETE' && (m = /^\/operator\/keys\/([^/]+)$/.exec(pathname))) {
      const key = this.keys.find((k) => k.keyId === decodeURIComponent(m![1]!));
      if (!key) return error(404, 'not_found', 'No such API key.');
      key.status = 'revoked';
      return { status: 204 };
    }
    if (method === 'POST' && pathname === '/operator/keys/revoke-by-email') {
      const revoked: string[] = [];
      for (const key of this.keys) {
        if (key.ownerEmail !== body?.email || key.status === 'revoked') continue;
        if (body?.tenantId && key.tenantId !== body.tenantId) continue;
        key.status = 'revoked';
        revoked.push(key.keyId);
      }
      return { status: 200, body: { revoked } };
    }
    return { status: 404, body: { message: 'Not Found' } };
  }
}
