// A real HTTP server in front of the local cloud's DynamoDB that a function can be pointed at (its
// AWS_ENDPOINT_URL_DYNAMODB), to make DynamoDB fail the way it does on AWS: a transaction that
// commits but whose answer is lost (a 500 after the write), then transactions refused outright,
// for a planned number of calls. Every other call passes through unchanged.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FaultPlan {
  /** TransactWriteItems calls passed through before the faults begin. */
  pass: number;
  /** Then this many are written and answered 500 (the caller cannot know they landed). */
  commitThenFail: number;
  /** Then this many are answered 500 without being written. */
  refuse: number;
}

export interface FaultyDynamoDb {
  url: string;
  arm(plan: FaultPlan): void;
  /** TransactWriteItems calls seen since arm(), and how many got a fault. */
  counts(): { transactions: number; faults: number };
  close(): Promise<void>;
}

const INTERNAL_ERROR = JSON.stringify({
  __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
  message: 'Internal server error (injected by the test)',
});

export async function startFaultyDynamoDb(target: string): Promise<FaultyDynamoDb> {
  let plan: FaultPlan | undefined;
  let transactions = 0;
  let faults = 0;

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        let fault: 'commit' | 'refuse' | undefined;
        if (plan && String(req.headers['x-amz-target'] ?? '').endsWith('.TransactWriteItems')) {
          transactions += 1;
          const n = transactions - plan.pass;
          if (n > 0 && n <= plan.commitThenFail) fault = 'commit';
          else if (n > plan.commitThenFail && n <= plan.commitThenFail + plan.refuse) fault = 'refuse';
          if (fault) faults += 1;
        }
        if (fault === 'refuse') {
          res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(INTERNAL_ERROR);
          return;
        }
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(req.headers)) {
          if (name !== 'host' && name !== 'connection' && typeof value === 'string') headers[name] = value;
        }
        const answer = await fetch(new URL(req.url ?? '/', target), {
          method: req.method ?? 'POST',
          headers,
          ...(body.length > 0 ? { body } : {}),
        });
        const text = Buffer.from(await answer.arrayBuffer());
        if (fault === 'commit') {
          res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' }).end(INTERNAL_ERROR);
          return;
        }
        const out: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name))
            out[name] = value;
        });
        res.writeHead(answer.status, out).end(text);
      })().catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arm(next) {
      plan = next;
      transactions = 0;
      faults = 0;
    },
    counts: () => ({ transactions, faults }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
