// Real webhook receivers for the integration tests: node HTTP servers on 127.0.0.1 that record every
// request (headers, raw body, arrival time) and answer as the test's script says: a status, after a
// delay, with headers, or by resetting the connection.
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  /** 1 for the first request this receiver got. */
  n: number;
  at: number;
  headers: Record<string, string>;
  body: string;
  webhookId: string;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  /** Destroy the socket without answering. */
  | { reset: true }
  /** Never answer (until the receiver closes). */
  | { hang: true };

export interface Receiver {
  url: string;
  received: Received[];
  /** Requests for one webhook id, in arrival order. */
  byWebhookId(webhookId: string): Received[];
  close(): Promise<void>;
}

export async function startReceiver(
  script: (request: Received) => Reply | Promise<Reply> = () => ({ status: 200 }),
  path = '/hooks',
): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<ServerResponse>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers[name] = value;
    }
    const request: Received = {
      n: received.length + 1,
      at: Date.now(),
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      webhookId: headers['webhook-id'] ?? '',
    };
    received.push(request);
    const reply = await script(request);
    if ('reset' in reply) {
      req.socket.destroy();
      return;
    }
    if ('hang' in reply) {
      hanging.add(res);
      return;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (res.destroyed) return;
    res.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
    res.end(reply.body ?? `status ${reply.status}`);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    byWebhookId: (webhookId) => received.filter((r) => r.webhookId === webhookId),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
