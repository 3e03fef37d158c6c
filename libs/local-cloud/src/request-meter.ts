/**
 * Counts the AWS requests the local cloud's functions, bus and pollers make, for the cost bench
 * (`npm run bench -- cost`): a pass-through HTTP proxy in front of an emulator that records each
 * request's service, operation and resource (table, queue, event source) and the billing units it
 * would cost on AWS. Off unless the cloud is started with SWITCHYARD_METER_REQUESTS=1.
 *
 * Units follow AWS's billing. DynamoDB's are the ones DynamoDB Local reports itself: the proxy asks
 * every request for its consumed capacity with the indexes (`ReturnConsumedCapacity: INDEXES`), so
 * an item's size as stored and its index writes count, and gives the caller back only what it asked
 * for. DynamoDB Local reports a transaction's items at the standard price, where AWS bills them
 * twice: the meter adds the table's part once more (index writes stay at the standard price).
 * Without that report (another upstream), it estimates:
 * write units per KB of the request (2 per transaction item, 1 per UpdateItem), read units per 4 KB
 * of the answer (half for an eventually consistent read). Then PutEvents entries; SQS requests per
 * 64 KB; a ReceiveMessage that returns nothing is counted apart (`idle`), as on AWS it is a fixed cost
 * per queue, not a cost per event.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

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

/** DynamoDB operations that report their consumed capacity when asked. */
const CAPACITY_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'GetItem',
  'BatchGetItem',
  'TransactGetItems',
  'Query',
  'Scan',
]);

interface ConsumedCapacity {
  TableName?: string;
  CapacityUnits?: number;
  /** The table's own part of CapacityUnits (the rest is its indexes'), when asked with INDEXES. */
  Table?: { CapacityUnits?: number };
}

/** The units AWS bills for one table's part of a request DynamoDB Local answered. */
function billedUnits(operation: string, entry: ConsumedCapacity): number {
  const units = entry.CapacityUnits ?? 0;
  if (operation !== 'TransactWriteItems' && operation !== 'TransactGetItems') return units;
  return units + (entry.Table?.CapacityUnits ?? units);
}

/** The capacity DynamoDB reported for a request, by table (undefined when it reported none). */
function reportedCapacity(response: Json): ConsumedCapacity[] | undefined {
  const reported = response.ConsumedCapacity as ConsumedCapacity | ConsumedCapacity[] | undefined;
  if (!reported) return undefined;
  return Array.isArray(reported) ? reported : [reported];
}

/** Records one request/answer pair. Exported for its unit test. */
export function meterExchange(
  meter: RequestMeter,
  exchange: { method: string; path: string; target?: string; body: string; response: string },
): void {
  const [prefix, operation = 'unknown'] = (exchange.target ?? '').split('.');
  const body = parse(exchange.body);
  if (prefix?.startsWith('DynamoDBStreams')) {
    meter.record('dynamodb-streams', operation, 'stream', 0);
  } else if (prefix?.startsWith('DynamoDB') && reportedCapacity(parse(exchange.response))) {
    for (const entry of reportedCapacity(parse(exchange.response)) ?? []) {
      meter.record('dynamodb', operation, entry.TableName ?? 'unknown', billedUnits(operation, entry));
    }
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

/**
 * A DynamoDB request as forwarded: asking for its consumed capacity with the indexes, and how to
 * give its answer back as the caller asked for it (none, or the total alone).
 */
export function askForCapacity(
  target: string | undefined,
  body: Buffer,
): { body: Buffer; answer: (response: Buffer) => Buffer } {
  const unchanged = { body, answer: (response: Buffer) => response };
  const [prefix, operation = ''] = (target ?? '').split('.');
  if (!prefix?.startsWith('DynamoDB_') || !CAPACITY_OPERATIONS.has(operation)) return unchanged;
  const request = parse(body.toString('utf8'));
  const asked = request.ReturnConsumedCapacity;
  if (asked === 'INDEXES' || Object.keys(request).length === 0) return unchanged;
  request.ReturnConsumedCapacity = 'INDEXES';
  return {
    body: Buffer.from(JSON.stringify(request)),
    answer: (response) => {
      const json = parse(response.toString('utf8'));
      const reported = json.ConsumedCapacity as ConsumedCapacity | ConsumedCapacity[] | undefined;
      if (!reported) return response;
      if (asked === 'TOTAL') {
        const total = (c: ConsumedCapacity) => ({ TableName: c.TableName, CapacityUnits: c.CapacityUnits });
        json.ConsumedCapacity = Array.isArray(reported) ? reported.map(total) : total(reported);
      } else {
        delete json.ConsumedCapacity;
      }
      return Buffer.from(JSON.stringify(json));
    },
  };
}

/** The answer's headers for a body the proxy changed: its length and DynamoDB's CRC32 of it. */
function headersFor(headers: IncomingHttpHeaders, original: Buffer, sent: Buffer): IncomingHttpHeaders {
  if (sent === original) return headers;
  const changed: IncomingHttpHeaders = { ...headers, 'content-length': String(sent.length) };
  delete changed['transfer-encoding'];
  if (headers['x-amz-crc32'] !== undefined) changed['x-amz-crc32'] = String(crc32(sent));
  return changed;
}

/** The request's headers for the upstream: its host, and the length of the body as forwarded. */
function forwardedHeaders(headers: IncomingHttpHeaders, host: string, body: Buffer): IncomingHttpHeaders {
  const forwarded: IncomingHttpHeaders = { ...headers, host, 'content-length': String(body.length) };
  delete forwarded['transfer-encoding'];
  return forwarded;
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
      const target = req.headers['x-amz-target'];
      const asked = askForCapacity(typeof target === 'string' ? target : undefined, Buffer.concat(chunks));
      const body = asked.body;
      const forward = httpRequest(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: forwardedHeaders(req.headers, upstream.host, body),
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            const response = Buffer.concat(parts);
            const sent = asked.answer(response);
            res.writeHead(answer.statusCode ?? 502, headersFor(answer.headers, response, sent));
            res.end(sent);
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
