/**
 * A real OAuth 2 provider over HTTP for tests (node:http on 127.0.0.1, a free port): an authorize
 * endpoint that approves at once (302 back to redirect_uri with a code and the state), and a token
 * endpoint (form-encoded POST, client_secret_post or client_secret_basic) for the
 * `authorization_code` and `refresh_token` grants. Codes and refresh tokens are single use, like
 * some providers. `failRefresh` makes refreshes fail the way a provider does.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeProviderOptions {
  name?: string;
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of access tokens (`expires_in`), seconds. */
  expiresIn?: number;
}

export interface TokenRequestRecord {
  contentType: string | undefined;
  form: Record<string, string>;
  authorization: string | undefined;
}

export type RefreshFailure = 'invalid_grant' | 'server_error' | false;

export interface FakeProvider {
  url: string;
  name: string;
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** Every token request received, in order. */
  requests: TokenRequestRecord[];
  /** Follows the authorize URL as a browser would and returns the callback URL it redirects to. */
  authorize(authorizeUrl: string): Promise<URL>;
  /** Refresh tokens currently valid (not yet used). */
  liveRefreshTokens(): string[];
  failRefresh(mode: RefreshFailure): void;
  setExpiresIn(seconds: number): void;
  close(): Promise<void>;
}

const random = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url')}`;

export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const name = options.name ?? 'fake';
  const clientId = options.clientId ?? 'fake-client';
  const clientSecret = options.clientSecret ?? random('fake-secret');
  let expiresIn = options.expiresIn ?? 3600;
  let refreshFailure: RefreshFailure = false;
  const codes = new Map<string, { redirectUri: string }>();
  const refreshTokens = new Set<string>();
  const requests: TokenRequestRecord[] = [];

  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify(body));
  };
  const issue = (response: ServerResponse) => {
    const refreshToken = random('rt');
    refreshTokens.add(refreshToken);
    json(response, 200, {
      access_token: random('at'),
      token_type: 'Bearer',
      expires_in: expiresIn,
      refresh_token: refreshToken,
      scope: 'read',
    });
  };

  const handleToken = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const contentType = request.headers['content-type'];
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
    requests.push({ contentType, form, authorization: request.headers.authorization });
    if (!contentType?.startsWith('application/x-www-form-urlencoded')) {
      json(response, 400, { error: 'invalid_request', error_description: 'form encoding required' });
      return;
    }
    let id = form.client_id;
    let secret = form.client_secret;
    const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
    if (basic?.[1]) {
      const [user, pass] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      id = decodeURIComponent(user ?? '');
      secret = decodeURIComponent(pass ?? '');
    }
    if (id !== clientId || secret !== clientSecret) {
      json(response, 401, { error: 'invalid_client' });
      return;
    }
    if (form.grant_type === 'authorization_code') {
      const issued = form.code ? codes.get(form.code) : undefined;
      if (!issued || issued.redirectUri !== form.redirect_uri) {
        json(response, 400, { error: 'invalid_grant', error_description: 'unknown code or redirect_uri' });
        return;
      }
      codes.delete(form.code ?? '');
      issue(response);
      return;
    }
    if (form.grant_type === 'refresh_token') {
      if (refreshFailure === 'server_error') {
        response.writeHead(503, { 'content-type': 'text/plain' });
        response.end('unavailable');
        return;
      }
      if (
        refreshFailure === 'invalid_grant' ||
        !form.refresh_token ||
        !refreshTokens.has(form.refresh_token)
      ) {
        json(response, 400, { error: 'invalid_grant', error_description: 'refresh token invalid' });
        return;
      }
      refreshTokens.delete(form.refresh_token); // single use
      issue(response);
      return;
    }
    json(response, 400, { error: 'unsupported_grant_type' });
  };

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname === '/authorize') {
      const redirectUri = url.searchParams.get('redirect_uri');
      if (url.searchParams.get('client_id') !== clientId || !redirectUri) {
        json(response, 400, { error: 'invalid_request' });
        return;
      }
      const code = random('code');
      codes.set(code, { redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      response.writeHead(302, { location: back.toString() });
      response.end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/token') {
      handleToken(request, response).catch(() => json(response, 500, { error: 'server_error' }));
      return;
    }
    json(response, 404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    name,
    clientId,
    clientSecret,
    authorizeUrl: `${url}/authorize`,
    tokenUrl: `${url}/token`,
    requests,
    async authorize(authorizeUrl) {
      const response = await fetch(authorizeUrl, { redirect: 'manual' });
      const location = response.headers.get('location');
      if (response.status !== 302 || !location) throw new Error(`authorize answered ${response.status}`);
      return new URL(location);
    },
    liveRefreshTokens: () => [...refreshTokens],
    failRefresh(mode) {
      refreshFailure = mode;
    },
    setExpiresIn(seconds) {
      expiresIn = seconds;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
