// The sender against real local HTTP servers: the checked address is the one connected to (the name
// is never resolved again), Host stays the URL's, the deadline covers a silent server, and only the
// first KB of a body is kept.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { endpointPolicy } from '../../../src/domain/address-safety';
import { closeConnections, RESPONSE_BODY_LIMIT, sendWebhook } from '../../../src/adapters/sender';

const local = endpointPolicy('local', '');
const seen: { host?: string; body: string }[] = [];
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ host: req.headers.host, body: Buffer.concat(chunks).toString() });
      if (req.url === '/big') {
        res.writeHead(200);
        res.end('é'.repeat(RESPONSE_BODY_LIMIT));
      } else if (req.url === '/silent') {
        // never answers
      } else if (req.url === '/reset') {
        req.socket.destroy();
      } else if (req.url === '/busy') {
        res.writeHead(429, { 'retry-after': '30' });
        res.end('slow down');
      } else {
        res.writeHead(202);
        res.end('accepted');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await closeConnections();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const send = (url: string, options: Partial<Parameters<typeof sendWebhook>[3]> = {}) =>
  sendWebhook(url, { 'content-type': 'application/json' }, '{"x":1}', {
    timeoutMs: 2_000,
    policy: local,
    ...options,
  });

describe('sendWebhook', () => {
  it('connects to the address it checked, keeping the name in Host, and resolves only once', async () => {
    const resolve = jest.fn(async () => ['127.0.0.1']);
    const result = await send(`http://receiver.test:${port}/in`, { resolve });
    expect(result).toMatchObject({ statusCode: 202, responseBody: 'accepted' });
    expect(seen.at(-1)).toEqual({ host: `receiver.test:${port}`, body: '{"x":1}' });
    expect(resolve).toHaveBeenCalledTimes(1);
  });

  it('refuses a name that resolves to a refused address before connecting', async () => {
    const before = seen.length;
    const result = await sendWebhook(`http://rebind.test:${port}/in`, {}, '{}', {
      timeoutMs: 1_000,
      policy: endpointPolicy('dev', ''),
      resolve: async () => ['127.0.0.1'],
    });
    expect(result).toMatchObject({
      refused: true,
      error: 'address refused: 127.0.0.1 is not a public address (loopback)',
    });
    expect(seen.length).toBe(before);
  });

  it('refuses URLs the stage does not allow', async () => {
    const result = await sendWebhook(`http://127.0.0.1:${port}/in`, {}, '{}', {
      timeoutMs: 1_000,
      policy: endpointPolicy('prod', ''),
    });
    expect(result).toMatchObject({ refused: true, error: 'URL refused: must use https' });
  });

  it('gives up at the deadline, and reports resets and refused connections briefly', async () => {
    const silent = await send(`http://127.0.0.1:${port}/silent`, { timeoutMs: 300 });
    expect(silent).toMatchObject({ timedOut: true, error: 'timeout: no response within the send timeout' });
    expect(silent.latencyMs).toBeGreaterThanOrEqual(290);
    expect(await send(`http://127.0.0.1:${port}/reset`)).toMatchObject({ error: 'connection reset' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await send(`http://127.0.0.1:${closedPort}/x`)).toMatchObject({ error: 'connection refused' });
  });

  it('keeps the first KB of the body and the Retry-After header', async () => {
    const big = await send(`http://127.0.0.1:${port}/big`);
    expect(Buffer.byteLength(big.responseBody!)).toBeLessThanOrEqual(RESPONSE_BODY_LIMIT + 3);
    expect(big.responseBody!.startsWith('éé')).toBe(true);
    expect(await send(`http://127.0.0.1:${port}/busy`)).toMatchObject({
      statusCode: 429,
      retryAfter: '30',
      responseBody: 'slow down',
    });
  });
});
