// e2e, hostile input: every HTTP route of every service (read from the services' own function
// definitions, so a new route joins by being declared) gets hostile values in its path, query,
// headers and body, with no credentials, with garbage credentials and with the tenant's admin key.
// Each answer must be below 500, in the platform's error shape when it is an error, and never echo
// the hostile marker back; what was stored before the run must read the same after it. The routes
// with an OpenAPI document also get a body per documented property with the wrong type.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { eventually, startLocalCloud } from '@switchyard/local-cloud';
import { listEmails } from '@switchyard/local-cloud/src/emulators/ses';
import type { RunningLocalCloud } from '@switchyard/local-cloud';

const ROOT = join(__dirname, '..');
/** Injected in hostile values; an error answer containing it echoed request input. */
const MARKER = 'zqx7fuzz';

interface Route {
  service: string;
  method: string;
  path: string;
}

/** Every httpApi route the services declare in functions/*.yml. */
function declaredRoutes(): Route[] {
  const routes: Route[] = [];
  for (const service of readdirSync(join(ROOT, 'services'))) {
    const dir = join(ROOT, 'services', service, 'functions');
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.yml'));
    } catch {
      continue;
    }
    for (const file of files) {
      const functions = (parse(readFileSync(join(dir, file), 'utf8'), { logLevel: 'silent' }) ??
        {}) as Record<string, { events?: { httpApi?: { method: string; path: string } }[] }>;
      for (const fn of Object.values(functions)) {
        for (const event of fn?.events ?? []) {
          if (event.httpApi)
            routes.push({ service, method: event.httpApi.method.toUpperCase(), path: event.httpApi.path });
        }
      }
    }
  }
  return routes;
}

const hostileSegments = [
  `..%2F..%2F${MARKER}`,
  `${MARKER}%00`,
  `${MARKER}${'a'.repeat(2_000)}`,
  `${MARKER}%F0%9F%9A%80%EF%BF%BF`,
  '__proto__',
  `%FF%FE${MARKER}`,
  `%3Cscript%3E${MARKER}%3C%2Fscript%3E`,
];

const nested = (levels: number) => `${'{"a":'.repeat(levels)}"${MARKER}"${'}'.repeat(levels)}`;
const hostileBodies: { name: string; body: string | Buffer; type?: string }[] = [
  { name: 'deep nesting', body: nested(20_000) },
  { name: 'deep arrays', body: `${'['.repeat(50_000)}${']'.repeat(50_000)}` },
  {
    name: 'huge numbers',
    body: `{"limit":1e400,"n":-1e400,"big":123456789012345678901234567890,"x":"${MARKER}"}`,
  },
  { name: 'every plane', body: JSON.stringify({ text: `${MARKER}\u0000\u{1F680}\u{10FFFF}\uFFFF\uD800` }) },
  {
    name: 'invalid UTF-8',
    body: Buffer.concat([Buffer.from(`{"x":"${MARKER}`), Buffer.from([0xff, 0xfe, 0x80]), Buffer.from('"}')]),
  },
  {
    name: 'prototype keys',
    body: `{"__proto__":{"admin":true,"x":"${MARKER}"},"constructor":{"prototype":{"y":1}}}`,
  },
  { name: 'duplicate keys', body: `{"email":"a@example.com","email":"${MARKER}","email":{}}` },
  { name: 'not JSON', body: `{${MARKER}` },
  { name: 'JSON null', body: 'null' },
  { name: 'JSON array', body: `["${MARKER}"]` },
  { name: 'oversize', body: `{"x":"${MARKER}${'x'.repeat(3 * 1024 * 1024)}"}` },
  { name: 'form encoding', body: `a=${MARKER}`, type: 'application/x-www-form-urlencoded' },
];

interface OpenApiDocument {
  components?: { schemas?: Record<string, SchemaObject> };
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: {
          content?: Record<string, { schema?: { properties?: Record<string, { type?: string }> } }>;
        };
      }
    >
  >;
}

type SchemaObject = { $ref?: string; type?: string; properties?: Record<string, { type?: string }> };

/** The schema itself, following a local `$ref` into the document's components. */
function resolve(document: OpenApiDocument, schema: SchemaObject | undefined): SchemaObject | undefined {
  if (!schema?.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  return document.components?.schemas?.[name];
}

/** A value the documented property does not accept, carrying the marker where it can. */
function wrongTypeFor(spec: { type?: string }): unknown {
  switch (spec.type) {
    case 'string':
      return 1e308;
    case 'number':
    case 'integer':
      return `${MARKER}\u{1F680}`;
    case 'boolean':
      return MARKER;
    case 'array':
      return { [MARKER]: true };
    default:
      return [MARKER, -0, 1e308];
  }
}

interface Answer {
  route: string;
  probe: string;
  status: number;
  text: string;
  contentType: string;
}

describe('hostile input to every route', () => {
  let cloud: RunningLocalCloud;
  const routes = declaredRoutes();
  const answers: Answer[] = [];

  beforeAll(async () => {
    cloud = await startLocalCloud();
  }, 300_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  async function send(
    route: Route,
    probe: string,
    options: {
      path?: string;
      query?: string;
      body?: string | Buffer;
      type?: string;
      auth?: string;
      headers?: Record<string, string>;
    },
  ): Promise<void> {
    const path = options.path ?? route.path.replace(/\{[^}]+\}/g, `${MARKER}-id`);
    const withBody = !['GET', 'HEAD', 'DELETE'].includes(route.method) || options.body !== undefined;
    const response = await fetch(`${cloud.apiUrl}${path}${options.query ?? ''}`, {
      method: route.method,
      headers: {
        ...(options.auth ? { authorization: options.auth } : {}),
        ...(withBody ? { 'content-type': options.type ?? 'application/json' } : {}),
        ...options.headers,
      },
      ...(withBody && route.method !== 'GET' ? { body: options.body ?? '{}' } : {}),
    });
    answers.push({
      route: `${route.method} ${route.path}`,
      probe,
      status: response.status,
      text: await response.text(),
      contentType: response.headers.get('content-type') ?? '',
    });
  }

  /** The tenant's subscriptions and keys as its own routes list them, by id. */
  async function storedState(): Promise<Map<string, string>> {
    const list = async (path: string, field: string, id: string) => {
      const response = await fetch(`${cloud.apiUrl}${path}`, {
        headers: { authorization: `Bearer ${cloud.apiKey}` },
      });
      expect(response.status).toBe(200);
      const items = ((await response.json()) as Record<string, Record<string, unknown>[]>)[field] ?? [];
      // When a key was last used changes with every request; nothing else may.
      return items.map(
        (item) => [String(item[id]), JSON.stringify({ ...item, lastUsedAt: undefined })] as const,
      );
    };
    return new Map([
      ...(await list('/subscriptions', 'subscriptions', 'subscription_id')),
      ...(await list('/keys?limit=100', 'items', 'keyId')),
    ]);
  }

  /** The demo tenant's admin, signed in with the code the local mailbox receives: a person's token. */
  async function signInAdmin(): Promise<string> {
    const email = cloud.adminEmail!;
    const post = (path: string, body: unknown) =>
      fetch(`${cloud.apiUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/auth/login', { email })).status).toBe(202);
    const mail = await eventually(
      async () =>
        (await listEmails(cloud.endpoints.ses)).find(
          (m) => m.destination.to.includes(email) && m.subject.startsWith('Your Switchyard sign-in code'),
        ),
      { what: 'the sign-in code' },
    );
    const code = /\b(\d{6})\b/.exec(mail.subject)?.[1];
    const verified = await post('/auth/verify', { email, code });
    expect(verified.status).toBe(200);
    return String(((await verified.json()) as { accessToken: string }).accessToken);
  }

  it('answers below 500, in the error shape, without echoing input, and changes nothing stored', async () => {
    expect(routes.length).toBeGreaterThan(30);
    // Something stored before the run, to prove it reads the same after.
    const created = await fetch(`${cloud.apiUrl}/subscriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cloud.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:65000/hooks', event_types: ['fuzz.before'] }),
    });
    expect(created.status).toBe(201);
    const before = await storedState();
    expect(before.size).toBeGreaterThanOrEqual(2);

    const credentials = [
      { name: 'no credentials', auth: undefined },
      { name: 'garbage credentials', auth: `Bearer ${MARKER}.${'A'.repeat(600)}.x` },
      { name: 'admin key', auth: `Bearer ${cloud.apiKey}` },
      { name: 'admin person', auth: `Bearer ${await signInAdmin()}` },
    ];
    for (const route of routes) {
      for (const { name, auth } of credentials) {
        await send(route, name, { auth });
        for (const segment of hostileSegments) {
          if (route.path.includes('{'))
            await send(route, `${name}: path ${segment.slice(0, 12)}`, {
              auth,
              path: route.path.replace(/\{[^}]+\}/g, segment),
            });
        }
        await send(route, `${name}: query`, {
          auth,
          query: `?limit=-1&limit=99999999999999999999&cursor=%FF%FE${MARKER}&cursor=<b>${MARKER}</b>&status=${MARKER}`,
        });
        await send(route, `${name}: big header`, {
          auth,
          headers: { 'x-fuzz': `${MARKER}${'h'.repeat(8_000)}` },
        });
        if (route.method === 'GET' || route.method === 'DELETE') continue;
        for (const body of hostileBodies) await send(route, `${name}: ${body.name}`, { auth, ...body });
      }
    }

    let openApiProbes = 0;
    // The routes with an OpenAPI document: each documented body property with a value of the wrong type.
    for (const documentPath of ['/openapi.json', '/delivery/openapi.json']) {
      const document = (await (await fetch(`${cloud.apiUrl}${documentPath}`)).json()) as OpenApiDocument;
      for (const [path, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const schema = resolve(document, operation.requestBody?.content?.['application/json']?.schema);
          for (const [property, spec] of Object.entries(schema?.properties ?? {})) {
            openApiProbes++;
            const route = { service: documentPath, method: method.toUpperCase(), path };
            await send(route, `admin key: ${property} of the wrong type`, {
              auth: `Bearer ${cloud.apiKey}`,
              body: JSON.stringify({ [property]: wrongTypeFor(spec) }),
            });
          }
        }
      }
    }

    const problems: string[] = [];
    for (const answer of answers) {
      const where = `${answer.route} (${answer.probe}) → ${answer.status}`;
      if (answer.status >= 500) problems.push(`${where}: ${answer.text.slice(0, 200)}`);
      if (answer.status < 400) continue;
      let body: { error?: { code?: unknown; message?: unknown; correlationId?: unknown } } = {};
      try {
        body = JSON.parse(answer.text) as typeof body;
      } catch {
        problems.push(`${where}: not JSON (${answer.contentType})`);
        continue;
      }
      if (
        typeof body.error?.code !== 'string' ||
        typeof body.error.message !== 'string' ||
        typeof body.error.correlationId !== 'string'
      )
        problems.push(`${where}: not the error shape: ${answer.text.slice(0, 200)}`);
      if (answer.text.includes(MARKER)) problems.push(`${where}: echoes request input`);
    }
    const perRoute = answers.length / routes.length;
    const statuses = new Map<number, number>();
    for (const answer of answers) statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    console.log(
      `fuzz statuses: ${[...statuses]
        .sort(([a], [b]) => a - b)
        .map(([status, n]) => `${status}×${n}`)
        .join(', ')}`,
    );
    console.log(
      `fuzz: ${answers.length} requests over ${routes.length} routes (${perRoute.toFixed(0)} per route); ` +
        `${answers.filter((a) => a.status >= 500).length} answered 5xx; ${problems.length} problems`,
    );
    console.log(`fuzz: ${openApiProbes} of them wrong-typed properties from the OpenAPI documents`);
    expect(openApiProbes).toBeGreaterThan(10);
    expect(problems).toEqual([]);
    const after = await storedState();
    for (const [id, item] of before) expect(after.get(id)).toBe(item);
  });
});
