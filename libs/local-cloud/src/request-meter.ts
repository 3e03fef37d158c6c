/**
 * Counts the AWS requests the local cloud's functions, bus and pollers make, for the cost bench
 * (`npm run bench -- cost`): a pass-through HTTP proxy in front of an emulator that records each
 * request's service, operation and resource (table, queue, event source) and the billing units it
 * would cost on AWS. Off unless the cloud is started with SWITCHYARD_METER_REQUESTS=1.
 *
 * Units follow AWS's billing: DynamoDB write request units per KB written (2 per item in a
 * transaction), read request units per 4 KB read (half for an eventually consistent read);
 * PutEvents entries; SQS requests per 64 KB. An UpdateItem is counted as one unit whatever the
 * item's size (the proxy does not see the item); a ReceiveMessage that returns nothing is counted
 * apart (`idle`), as on AWS it is a fixed cost per queue, not a cost per event.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MeteredRequests {
  service: string;
  operation: string;
  resource: string;
  requests: number;
  units: number;
}

export class RequestMeter {
  private readonly counts = new Map<string, MeteredRequests>();

  record(service: string, operation: string, resource: string, units: number): void {
    const key = `${service}\u0000${operation}\u0000${resource}`;
    let entry = this.counts.get(key);
    if (!entry) this.counts.set(key, (entry = { service, operation, resource, requests: 0, units: 0 }));
    entry.requests += 1;
    entry.units += units;
  }

  snapshot(): MeteredRequests[] {
    return [...this.counts.values()].map((entry) => ({ ...entry }));
  }
}

type Json = Record<string, unknown>;

const parse = (text: string): Json => {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Json) : {};
  } catch {
    return {};
  }
};

const queueName = (url: unknown) => (typeof url === 'string' ? (url.split('/').pop() ?? url) : 'unknown');
const kb = (bytes: number, size: number) => Math.max(1, Math.ceil(bytes / size));

/** Records one request/answer pair. Exported for its unit test. */
export function meterExchange(
  meter: RequestMeter,
  exchange: { method: string; path: string; target?: string; body: string; response: string },
): void {
  const [prefix, operation = 'unknown'] = (exchange.target ?? '').split('.');
  const body = parse(exchange.body);
  if (prefix?.startsWith('DynamoDBStreams')) {
    meter.record('dynamodb-streams', operation, 'stream', 0);
  } else if (prefix?.startsWith('DynamoDB')) {
    const requestItems = Object.keys((body.RequestItems as Json | undefined) ?? {});
    const table = typeof body.TableName === 'string' ? body.TableName : (requestItems[0] ?? 'unknown');
    if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
      for (const item of (body.TransactItems as Json[] | undefined) ?? []) {
        const part = Object.values(item)[0] as Json | undefined;
        const name = typeof part?.TableName === 'string' ? part.TableName : 'unknown';
        const bytes = JSON.stringify(part?.Item ?? part?.Key ?? {}).length;
        meter.record(
          'dynamodb',
          `${operation} item`,
          name,
          2 * kb(bytes, operation.endsWith('Get') ? 4096 : 1024),
        );
      }
    } else if (operation === 'BatchWriteItem') {
      for (const [name, writes] of Object.entries((body.RequestItems as Json | undefined) ?? {})) {
        for (const write of writes as Json[]) {
          meter.record('dynamodb', 'BatchWriteItem item', name, kb(JSON.stringify(write).length, 1024));
        }
      }
    } else if (operation === 'PutItem' || operation === 'DeleteItem') {
      meter.record('dynamodb', operation, table, kb(JSON.stringify(body.Item ?? {}).length, 1024));
    } else if (operation === 'UpdateItem') {
      meter.record('dynamodb', operation, table, 1);
    } else {
      const consistent = body.ConsistentRead === true;
      meter.record('dynamodb', operation, table, (consistent ? 1 : 0.5) * kb(exchange.response.length, 4096));
    }
  } else if (prefix === 'AmazonSQS') {
    const queue = queueName(body.QueueUrl);
    if (operation === 'ReceiveMessage') {
      const messages = (parse(exchange.response).Messages as unknown[] | undefined) ?? [];
      meter.record('sqs', messages.length ? operation : `${operation} (idle)`, queue, 1);
    } else {
      meter.record('sqs', operation, queue, kb(exchange.body.length, 65_536));
    }
  } else if (prefix === 'AWSEvents') {
    if (operation === 'PutEvents') {
      for (const entry of (body.Entries as Json[] | undefined) ?? []) {
        const bytes = JSON.stringify(entry).length;
        meter.record('events', operation, String(entry.Source ?? 'unknown'), kb(bytes, 65_536));
      }
    } else {
      meter.record('events', operation, 'bus', 0);
    }
  } else if (exchange.body.includes('Action=')) {
    const action = new URLSearchParams(exchange.body).get('Action') ?? 'unknown';
    meter.record('sns', action, 'topic', 1);
  } else {
    const bucket = exchange.path.split('/')[1]?.split('?')[0] ?? 'unknown';
    meter.record('s3', exchange.method, bucket, 1);
  }
}

/** A pass-through proxy to `target` that meters every exchange. */
export async function startMeteringProxy(
  target: string,
  meter: RequestMeter,
): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = httpRequest(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const response = Buffer.concat(parts);
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(response);
            const target = req.headers['x-amz-target'];
            meterExchange(meter, {
              method: req.method ?? 'GET',
              path: req.url ?? '/',
              ...(typeof target === 'string' ? { target } : {}),
              body: body.toString('utf8'),
              response: response.toString('utf8'),
            });
          });
        },
      );
      forward.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
