// What the benches that deliver webhooks share: a verifying receiver, POSTs with the demo key, a
// subscription written straight into delivery's table, and a wait with a deadline.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import type { RunningLocalCloud } from '../../../libs/local-cloud/src';
import { sleep } from './proc';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface Arrival {
  at: number;
  seq: number;
  run: string;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The receiver: verifies every request, records the first arrival of each webhook-id. */
export async function startReceiver(secret: string) {
  const verifier = new Webhook(secret);
  const first = new Map<string, Arrival>();
  let duplicates = 0;
  let invalid = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now() + performance.timeOrigin;
      const body = Buffer.concat(chunks).toString('utf8');
      try {
        const message = verifier.verify(body, req.headers as Record<string, string>) as {
          data: { seq: number; run: string };
        };
        const id = String(req.headers['webhook-id']);
        if (first.has(id)) duplicates += 1;
        else first.set(id, { at, seq: message.data.seq, run: message.data.run });
        res.writeHead(204).end();
      } catch {
        invalid += 1;
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    arrivals: (run: string) => [...first.values()].filter((a) => a.run === run),
    stats: () => ({ duplicates, invalid }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function post(cloud: RunningLocalCloud, path: string, body: unknown): Promise<number> {
  const response = await fetch(`${cloud.apiUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cloud.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  await response.arrayBuffer();
  return response.status;
}

export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

/** The subscription, written as delivery's API writes it (the API is not what is measured). */
export async function subscribe(
  cloud: RunningLocalCloud,
  url: string,
  eventType: string,
  secret: string,
): Promise<void> {
  const doc = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: cloud.region,
      endpoint: cloud.endpoints.dynamodb,
      credentials: LOCAL_CREDENTIALS,
    }),
  );
  const now = new Date().toISOString();
  const subscriptionId = `sub_BENCH${randomBytes(8).toString('hex').toUpperCase()}`;
  try {
    await doc.send(
      new PutCommand({
        TableName: `delivery-${cloud.stage}`,
        Item: {
          pk: `TENANT#${cloud.tenantId}`,
          sk: `SUB#${subscriptionId}`,
          kind: 'subscription',
          subscriptionId,
          tenantId: cloud.tenantId,
          url,
          eventTypes: [eventType],
          enabled: true,
          // The per-endpoint limit is not what is measured.
          rateLimitPerSecond: 100_000,
          secrets: [{ secret, createdAt: now }],
          createdAt: now,
          updatedAt: now,
        },
      }),
    );
  } finally {
    doc.destroy();
  }
}
