/**
 * One local HTTP server standing in for the HTTP API every service attaches its routes to: selects
 * the route like API Gateway, answers CORS preflights and adds CORS headers from the API's
 * CorsConfiguration, runs the JWT authorizer, invokes the function with a payload 2.0 event and
 * maps the result back, with API Gateway's own error responses.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Invoker, PackagedService, ProvisionedResource, ResourceRegistry } from '../../types';
import { isPreflight, preflightResponse, withCorsHeaders } from './cors';
import type { CorsConfiguration } from './cors';
import {
  buildHttpApiEvent,
  compileRoute,
  headersOf,
  InvalidLambdaResponse,
  jsonMessage,
  matchRoute,
  toHttpResponse,
} from './http-api';
import type { CompiledRoute, HttpResponse, RouteSpec } from './http-api';
import { verifyIamRequest } from './iam-auth';
import type { IamAuthorizerContext } from './iam-auth';
import { JwtAuthorizer } from './jwt';
import type { JwksLocator, JwtAuthorizerConfig } from './jwt';
import { jwtAuthorizerModel, readServiceModel } from '../template';
import type { JwtAuthorizerModel } from '../template';

export interface GatewayRoute extends RouteSpec {
  service: string;
  functionName: string;
  /** Integration timeout: past it the gateway answers 503 (the function may still be running). */
  timeoutInMillis: number;
  authorizer?: JwtAuthorizerConfig;
  /** The route's AuthorizationType is AWS_IAM: a SigV4 signature is required (see iam-auth.ts). */
  iam?: boolean;
  /** The CorsConfiguration of the API the route belongs to, if it has one. */
  cors?: CorsConfiguration;
  /** A response-streaming Function URL: chunks go to the client as the function writes them. */
  streaming?: boolean;
}

export interface BuiltinRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
  pathParameters?: Record<string, string>;
}

export interface BuiltinResponse {
  statusCode?: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON. */
  body?: string | Buffer | object;
}

export type BuiltinHandler = (request: BuiltinRequest) => BuiltinResponse | Promise<BuiltinResponse>;

export interface HttpGatewayOptions {
  invoker: Invoker;
  routes: GatewayRoute[];
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 10 MB, API Gateway's payload limit. */
  bodyLimitBytes?: number;
  /** Where each issuer's keys are; default `${issuer}/.well-known/jwks.json`. */
  jwks?: JwksLocator;
  /** Region SigV4 signatures of AWS_IAM routes must be scoped to; default us-east-1. */
  region?: string;
  /**
   * The CORS configuration of answers that belong to no route (404s, preflights of unknown paths,
   * built-in routes): the platform's API, which every service's routes attach to.
   */
  defaultCors?: CorsConfiguration;
  log?: (line: string) => void;
}

interface BuiltinRoute extends RouteSpec {
  handler: BuiltinHandler;
}

/** An HTTP API of the templates: its id locally, the service declaring it and its CORS settings. */
export interface HttpApiModel {
  apiId: string;
  service: string;
  logicalId: string;
  cors?: CorsConfiguration;
}

type TemplateResource = { Type: string; Properties?: Record<string, unknown> };

/** The registry, with the list of what was provisioned when it can give one (APIs, authorizers). */
type GatewayRegistry = ResourceRegistry & {
  list?(): (ProvisionedResource & { service: string })[];
};

function templateResource(
  services: PackagedService[],
  service: string,
  logicalId: string,
): TemplateResource | undefined {
  return services.find((s) => s.name === service)?.template.Resources[logicalId];
}

/** Every AWS::ApiGatewayV2::Api the services declare, with its CorsConfiguration resolved. */
export function apisFromServices(services: PackagedService[], registry: GatewayRegistry): HttpApiModel[] {
  return (registry.list?.() ?? [])
    .filter((resource) => resource.type === 'AWS::ApiGatewayV2::Api')
    .map((resource) => {
      const props = templateResource(services, resource.service, resource.logicalId)?.Properties ?? {};
      const cors = registry.resolve(resource.service, props.CorsConfiguration) as
        CorsConfiguration | undefined;
      return { apiId: resource.ref, service: resource.service, logicalId: resource.logicalId, cors };
    });
}

/**
 * A route's JWT authorizer: declared in the route's own template, or in another stack that
 * exports its id (identity's `people` authorizer on the platform's API), found by the id
 * AuthorizerId resolves to.
 */
function resolvedOrUndefined(registry: ResourceRegistry, service: string, value: unknown): unknown {
  if (value === undefined) return undefined;
  try {
    return registry.resolve(service, value);
  } catch {
    return undefined;
  }
}

function authorizerOf(
  services: PackagedService[],
  registry: GatewayRegistry,
  service: string,
  authorizerId: unknown,
): { service: string; model: JwtAuthorizerModel } | undefined {
  const id = resolvedOrUndefined(registry, service, authorizerId);
  if (id === undefined) return undefined;
  const declared = (registry.list?.() ?? []).find(
    (resource) => resource.type === 'AWS::ApiGatewayV2::Authorizer' && resource.ref === id,
  );
  if (!declared) return undefined;
  const props = templateResource(services, declared.service, declared.logicalId)?.Properties ?? {};
  return { service: declared.service, model: jwtAuthorizerModel(declared.logicalId, props) };
}

/** The HTTP API routes of the given services, with function names, authorizers and CORS resolved. */
export function routesFromServices(services: PackagedService[], registry: GatewayRegistry): GatewayRoute[] {
  const apis = apisFromServices(services, registry);
  const routes: GatewayRoute[] = [];
  for (const service of services) {
    const model = readServiceModel(service);
    for (const route of model.routes) {
      const fn = model.functions.find((f) => f.logicalId === route.functionLogicalId);
      if (!fn) continue;
      const name = registry.resolve(service.name, fn.functionName);
      let authorizer: JwtAuthorizerConfig | undefined;
      const found = route.authorizer
        ? { service: service.name, model: route.authorizer }
        : route.authorizationType === 'JWT'
          ? authorizerOf(services, registry, service.name, route.authorizerId)
          : undefined;
      if (route.authorizationType === 'JWT' && !found) {
        throw new Error(
          `${service.name}: route ${route.routeKey} names a JWT authorizer no running service declares`,
        );
      }
      if (found) {
        authorizer = {
          issuer: String(registry.resolve(found.service, found.model.issuer)),
          audience: (registry.resolve(found.service, found.model.audience) as unknown[]).map(String),
          identitySource: found.model.identitySource,
          scopes: route.authorizationScopes,
        };
      }
      const apiId = resolvedOrUndefined(registry, service.name, route.apiId);
      routes.push({
        service: service.name,
        method: route.method,
        path: route.path,
        routeKey: route.routeKey,
        functionName: typeof name === 'string' ? name : fn.functionName,
        timeoutInMillis: route.timeoutInMillis,
        authorizer,
        iam: route.authorizationType === 'AWS_IAM' || undefined,
        cors: apis.find((api) => api.apiId === apiId)?.cors,
      });
    }
  }
  return routes;
}

/**
 * Response-streaming Function URLs (InvokeMode RESPONSE_STREAM) served on the one local API: a URL
 * whose resource has `Metadata: { LocalRoute: 'POST /agent/stream' }` gets that route, with no
 * authorizer (the function checks the credential itself, as behind a Function URL with AuthType
 * NONE). On AWS clients call the Function URL itself (a stack output); locally the same path on the
 * API base URL, where the answer streams as the function writes it.
 */
export function streamingUrlRoutesFromServices(
  services: PackagedService[],
  registry: ResourceRegistry,
): GatewayRoute[] {
  const routes: GatewayRoute[] = [];
  for (const service of services) {
    const model = readServiceModel(service);
    for (const resource of Object.values(service.template.Resources)) {
      const r = resource as TemplateResource & { Metadata?: { LocalRoute?: unknown } };
      if (r.Type !== 'AWS::Lambda::Url' || r.Properties?.InvokeMode !== 'RESPONSE_STREAM') continue;
      const localRoute = r.Metadata?.LocalRoute;
      if (typeof localRoute !== 'string') continue;
      const [method = 'POST', path = '/'] = localRoute.split(' ');
      const target = r.Properties.TargetFunctionArn as { 'Fn::GetAtt'?: [string, string] } | string;
      const logicalId = typeof target === 'object' ? target['Fn::GetAtt']?.[0] : undefined;
      const fn = model.functions.find((f) => f.logicalId === logicalId);
      if (!fn) continue;
      const name = registry.resolve(service.name, fn.functionName);
      routes.push({
        service: service.name,
        method: method.toUpperCase(),
        path,
        routeKey: `${method.toUpperCase()} ${path}`,
        functionName: typeof name === 'string' ? name : fn.functionName,
        timeoutInMillis: fn.timeoutSeconds * 1000,
        streaming: true,
      });
    }
  }
  return routes;
}

export class HttpGateway {
  private readonly compiled: CompiledRoute<GatewayRoute>[];
  private readonly builtins: CompiledRoute<BuiltinRoute>[] = [];
  private readonly authorizer: JwtAuthorizer;
  private readonly bodyLimit: number;
  private server?: Server;
  private readonly log: (line: string) => void;

  constructor(private readonly options: HttpGatewayOptions) {
    this.authorizer = new JwtAuthorizer(options.jwks);
    this.bodyLimit = options.bodyLimitBytes ?? 10 * 1024 * 1024;
    this.log = options.log ?? (() => undefined);
    const seen = new Map<string, string>();
    this.compiled = [];
    for (const route of options.routes) {
      // Two services defining the same route would fail to deploy on the one API: the first owner wins.
      const owner = seen.get(route.routeKey);
      if (owner !== undefined) {
        this.log(
          `route ${route.routeKey} of ${route.service} is also defined by ${owner}; ${owner}'s is used`,
        );
        continue;
      }
      seen.set(route.routeKey, route.service);
      this.compiled.push(compileRoute(route));
    }
  }

  /**
   * Adds a built-in route (e.g. `GET /status`) unless a service already defines a route that would
   * answer that method and path; returns whether it was added. Services always take precedence.
   */
  addRoute(method: string, path: string, handler: BuiltinHandler): boolean {
    const upper = method.toUpperCase();
    const matched = matchRoute(
      this.compiled,
      upper === 'ANY' ? 'GET' : upper,
      path.replace(/\{[^}]+\}/g, 'x'),
    );
    if (matched && matched.route.routeKey !== '$default') return false;
    this.builtins.push(compileRoute({ method: upper, path, routeKey: `${upper} ${path}`, handler }));
    return true;
  }

  routes(): GatewayRoute[] {
    return this.compiled.map((c) => c.route);
  }

  async start(): Promise<{ port: number; url: string }> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    this.server = server;
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(this.options.port ?? 0, host, () => resolveListen());
    });
    const { port } = server.address() as AddressInfo;
    return { port, url: `http://${host}:${port}` };
  }

  get url(): string | undefined {
    const address = this.server?.address() as AddressInfo | null | undefined;
    return address ? `http://${this.options.host ?? '127.0.0.1'}:${address.port}` : undefined;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolveClose) => {
      server.close(() => resolveClose());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const started = Date.now();
    let response: HttpResponse;
    let cors = this.options.defaultCors;
    try {
      const answer = await this.respond(req, requestId, res);
      response = answer.response;
      if (answer.route) cors = answer.route.cors;
      if (answer.preflight) cors = undefined;
    } catch (err) {
      this.log(`${req.method} ${req.url} failed in the gateway: ${(err as Error).stack ?? String(err)}`);
      response = jsonMessage(500, 'Internal Server Error');
    }
    // Every answer to a CORS request carries the API's CORS headers, the gateway's own errors too.
    if (cors) response = withCorsHeaders(cors, headersOf(req.rawHeaders), response);
    const headers: Record<string, string | string[]> = response.headers;
    headers['apigw-requestid'] = requestId;
    if (response.cookies.length > 0) headers['set-cookie'] = response.cookies;
    headers['content-length'] = String(response.body.length);
    if (!res.headersSent) {
      res.writeHead(response.statusCode, headers);
      res.end(response.body);
    }
    this.log(`${req.method} ${req.url} ${response.statusCode} ${Date.now() - started}ms`);
  }

  /**
   * The API's CORS settings for a path no route of this method matches: those of the API whose
   * routes serve the path with another method, else the default (the platform's API).
   */
  private corsForPath(rawPath: string): CorsConfiguration | undefined {
    for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']) {
      const match = matchRoute(this.compiled, method, rawPath);
      if (match && match.route.routeKey !== '$default') return match.route.cors;
    }
    return this.options.defaultCors;
  }

  private async respond(
    req: IncomingMessage,
    requestId: string,
    res: ServerResponse,
  ): Promise<{ response: HttpResponse; route?: GatewayRoute; preflight?: boolean }> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const rawPath = url.split('?')[0] ?? '/';
    // Most requests (GET) carry no body: no need to wait for the stream's end to know it is empty.
    const body = declaresBody(req.rawHeaders) ? await readBody(req, this.bodyLimit) : NO_BODY;
    if (body === 'too-large') return { response: jsonMessage(413, 'Request Entity Too Large') };

    const match = matchRoute(this.compiled, method, rawPath);
    // API Gateway answers a preflight itself unless a route takes OPTIONS (OPTIONS, ANY, $default).
    if (!match && isPreflight(method, headersOf(req.rawHeaders))) {
      const cors = this.corsForPath(rawPath);
      if (cors) return { response: preflightResponse(cors, headersOf(req.rawHeaders)), preflight: true };
    }
    if (!match || match.route.routeKey === '$default') {
      // Built-ins fill gaps: a service's explicit routes answer first, a catch-all $default after them.
      const builtin = matchRoute(this.builtins, method, rawPath);
      if (builtin) {
        return {
          response: await this.runBuiltin(builtin.route.handler, req, url, body, builtin.pathParameters),
        };
      }
    }
    if (!match) return { response: jsonMessage(404, 'Not Found') };
    return {
      response: match.route.streaming
        ? await this.invokeStreaming(match, req, res, method, url, body, requestId)
        : await this.invokeRoute(match, req, method, url, rawPath, body, requestId),
      route: match.route,
    };
  }

  private async invokeRoute(
    match: { route: GatewayRoute; pathParameters?: Record<string, string> },
    req: IncomingMessage,
    method: string,
    url: string,
    rawPath: string,
    body: Buffer,
    requestId: string,
  ): Promise<HttpResponse> {
    const route = match.route;

    let jwt: { claims: Record<string, string>; scopes: string[] | null } | undefined;
    if (route.authorizer) {
      const query = Object.fromEntries(new URLSearchParams(url.split('?')[1] ?? ''));
      const outcome = await this.authorizer.authorize(route.authorizer, headersOf(req.rawHeaders), query);
      if (!outcome.ok) {
        this.log(`${method} ${rawPath}: ${outcome.statusCode} (${outcome.reason})`);
        return jsonMessage(outcome.statusCode, outcome.statusCode === 401 ? 'Unauthorized' : 'Forbidden');
      }
      jwt = { claims: outcome.claims, scopes: outcome.scopes };
    }
    let iam: IamAuthorizerContext | undefined;
    if (route.iam) {
      const headers = headersOf(req.rawHeaders);
      const outcome = await verifyIamRequest(
        { method, url, headers, body },
        { region: this.options.region ?? 'us-east-1' },
      );
      if (!outcome.ok) {
        this.log(`${method} ${rawPath}: 403 (${outcome.reason})`);
        return jsonMessage(403, outcome.message);
      }
      iam = outcome.iam;
    }

    const event = buildHttpApiEvent(
      {
        method,
        url,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: sourceIpOf(req),
        protocol: `HTTP/${req.httpVersion}`,
      },
      {
        routeKey: route.routeKey,
        pathParameters: match.pathParameters,
        apiId: route.service,
        requestId,
        jwt,
      },
    );

    const payload = iam
      ? { ...event, requestContext: { ...event.requestContext, authorizer: { iam } } }
      : event;
    const outcome = await withTimeout(
      this.options.invoker.invoke(route.functionName, payload),
      route.timeoutInMillis,
    );
    if (outcome === 'timeout') return jsonMessage(503, 'Service Unavailable');
    if (!outcome.ok) {
      // A function error, including Lambda's own timeout (Sandbox.Timedout), is a 500 on HTTP APIs.
      this.log(`${route.functionName} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
      return jsonMessage(500, 'Internal Server Error');
    }
    try {
      return toHttpResponse(outcome.result);
    } catch (err) {
      if (err instanceof InvalidLambdaResponse) {
        this.log(`${route.functionName} returned an invalid response: ${err.message}`);
        return jsonMessage(500, 'Internal Server Error');
      }
      throw err;
    }
  }

  /**
   * A response-streaming function: the metadata prelude (JSON, then 8 zero bytes) gives the status
   * and headers, and every later byte goes to the client as it arrives. The client closing the
   * connection destroys the function's stream. A function that fails before writing is a 502.
   */
  private async invokeStreaming(
    match: { route: GatewayRoute; pathParameters?: Record<string, string> },
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    url: string,
    body: Buffer,
    requestId: string,
  ): Promise<HttpResponse> {
    const route = match.route;
    const event = buildHttpApiEvent(
      {
        method,
        url,
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: sourceIpOf(req),
        protocol: `HTTP/${req.httpVersion}`,
      },
      { routeKey: '$default', apiId: route.service, requestId },
    );
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    let prelude: Buffer | undefined = Buffer.alloc(0);
    const onChunk = (chunk: Buffer) => {
      if (gone.signal.aborted) return;
      if (prelude === undefined) {
        res.write(chunk);
        return;
      }
      prelude = Buffer.concat([prelude, chunk]);
      const end = prelude.indexOf(PRELUDE_SEPARATOR);
      if (end < 0) return;
      let metadata: { statusCode?: number; headers?: Record<string, string> } = {};
      try {
        metadata = JSON.parse(prelude.subarray(0, end).toString('utf8')) as typeof metadata;
      } catch {
        this.log(`${route.functionName} streamed an invalid metadata prelude`);
      }
      const rest = prelude.subarray(end + PRELUDE_SEPARATOR.length);
      prelude = undefined;
      res.writeHead(metadata.statusCode ?? 200, {
        ...(metadata.headers ?? {}),
        'apigw-requestid': requestId,
      });
      res.flushHeaders();
      if (rest.length > 0) res.write(rest);
    };
    const outcome = await this.options.invoker.invoke(route.functionName, event, {
      onChunk,
      signal: gone.signal,
    });
    if (res.headersSent) {
      if (!outcome.ok) this.log(`${route.functionName} failed mid-stream: ${outcome.error.errorType}`);
      res.end();
      return { statusCode: res.statusCode, headers: {}, cookies: [], body: Buffer.alloc(0) };
    }
    if (!outcome.ok) {
      this.log(`${route.functionName} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
      return jsonMessage(502, 'Internal Server Error');
    }
    return { statusCode: 200, headers: {}, cookies: [], body: prelude ?? Buffer.alloc(0) };
  }

  private async runBuiltin(
    handler: BuiltinHandler,
    req: IncomingMessage,
    url: string,
    body: Buffer,
    pathParameters?: Record<string, string>,
  ): Promise<HttpResponse> {
    const [path = '/', query = ''] = url.split('?');
    const out = await handler({
      method: (req.method ?? 'GET').toUpperCase(),
      path,
      query: new URLSearchParams(query),
      headers: headersOf(req.rawHeaders),
      body,
      pathParameters,
    });
    const headers = { ...(out.headers ?? {}) };
    let payload: Buffer;
    if (out.body === undefined) payload = Buffer.alloc(0);
    else if (Buffer.isBuffer(out.body)) payload = out.body;
    else if (typeof out.body === 'string') payload = Buffer.from(out.body);
    else {
      payload = Buffer.from(JSON.stringify(out.body));
      headers['content-type'] ??= 'application/json';
    }
    return { statusCode: out.statusCode ?? 200, headers, cookies: [], body: payload };
  }
}

const NO_BODY = Buffer.alloc(0);

/** What ends the metadata prelude of a streamed HTTP response (Lambda's HttpResponseStream). */
const PRELUDE_SEPARATOR = Buffer.alloc(8);

/**
 * Whether the request has a body to read: HTTP/1.1 messages without Content-Length or
 * Transfer-Encoding have none (RFC 9112 §6.3), nor do those declaring a length of 0.
 */
function declaresBody(rawHeaders: string[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      if (rawHeaders[i + 1]?.trim() !== '0') return true;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') return true;
  }
  return false;
}

/** The client's address as API Gateway reports it (IPv4 without the IPv6-mapped prefix). */
function sourceIpOf(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * The invocation's outcome, or 'timeout' if it takes longer than `ms` (the invocation itself is not
 * stopped). One timer, cleared as soon as the invocation settles.
 */
function withTimeout<T>(invocation: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return new Promise<T | 'timeout'>((resolveOutcome, rejectOutcome) => {
    const timer = setTimeout(() => resolveOutcome('timeout'), ms);
    invocation.then(
      (value) => {
        clearTimeout(timer);
        resolveOutcome(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        rejectOutcome(error);
      },
    );
  });
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolveBody, rejectBody) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      resolveBody('too-large');
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolveBody(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', rejectBody);
  });
}
