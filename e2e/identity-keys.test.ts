// e2e, black-box: an operator manages API keys with the CLI (`main([...])` in process, pointed at
// this cloud's dev.json exactly as `npx switchyard` finds a running `npm start`), a tenant uses them
// over HTTP, and the bus is watched from outside through an EventBridge rule with an SQS target.
//
// Measured (printed, not asserted as timings): how long after `switchyard keys revoke` returns
//  - identity refuses the key (it reads its own table consistently: the first request must be a 401);
//  - ApiKeyRevoked is on the bus, which is what services verifying keys from a projection wait for.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateEventBusCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { main } from '@switchyard/cli/src/main';
import { startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/** How many keys the revocation figures are measured over. */
const SAMPLES = 20;
/** Pause between two requests with a revoked key while waiting for the first 401. */
const POLL_MS = 5;

interface CreatedKey {
  keyId: string;
  key: string;
  tenantId: string;
  role: string;
  status: string;
}

/** One ApiKeyRevoked seen by the tap: when the queue got it, and when our long poll returned it. */
interface Arrival {
  sentAt: number;
  receivedAt: number;
}

let cloud: RunningLocalCloud;
const savedDevJson = process.env.SWITCHYARD_DEV_JSON;

async function switchyard(...args: string[]): Promise<string> {
  let out = '';
  let err = '';
  const code = await main(
    ['node', 'switchyard', ...args],
    (text) => (out += text),
    (text) => (err += text),
  );
  if (code !== 0) throw new Error(`switchyard ${args.join(' ')} exited ${code}: ${err}`);
  return out;
}

/** GET /keys with a key: identity's own key-verifying route (admin 200, other roles 403, bad key 401). */
async function keysStatus(key: string): Promise<number> {
  const response = await fetch(`${cloud.apiUrl}/keys?limit=1`, {
    headers: { authorization: `Bearer ${key}` },
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * A queue receiving every ApiKeyRevoked on the stage's bus, long-polled in the background from the
 * start, so an event is picked up as soon as it lands. Arrivals are recorded by key id.
 */
async function tapRevocations() {
  const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
  const events = new EventBridgeClient({ ...common, endpoint: cloud.endpoints.events });
  const sqs = new SQSClient({ ...common, endpoint: cloud.endpoints.sqs });
  const busName = `switchyard-${cloud.stage}-bus`;
  await events.send(new CreateEventBusCommand({ Name: busName })).catch((error: Error) => {
    if (error.name !== 'ResourceAlreadyExistsException') throw error;
  });
  const name = `e2e-revocations-${process.pid}-${Date.now().toString(36)}`;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await events.send(
    new PutRuleCommand({
      Name: name,
      EventBusName: busName,
      EventPattern: JSON.stringify({ source: ['switchyard.identity'], 'detail-type': ['ApiKeyRevoked'] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: name,
      EventBusName: busName,
      Targets: [{ Id: 'queue', Arn: Attributes!.QueueArn! }],
    }),
  );

  const arrivals = new Map<string, Arrival>();
  let stopped = false;
  let failure: unknown;
  const loop = (async () => {
    while (!stopped) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      const receivedAt = Date.now();
      for (const message of Messages) {
        const envelope = JSON.parse(message.Body ?? '{}') as { detail?: { keyId?: string } };
        const keyId = envelope.detail?.keyId;
        const sentAt = Number(message.Attributes?.SentTimestamp ?? receivedAt);
        if (keyId && !arrivals.has(keyId)) arrivals.set(keyId, { sentAt, receivedAt });
      }
      if (Messages.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    }
  })().catch((error: unknown) => {
    failure = error;
  });

  return {
    /** Resolves with the arrival of `keyId`'s ApiKeyRevoked (polling the map, not the queue). */
    async arrival(keyId: string, timeoutMs = 30_000): Promise<Arrival> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (failure) throw failure;
        const found = arrivals.get(keyId);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`ApiKeyRevoked for ${keyId} not seen within ${timeoutMs} ms`);
        await sleep(1);
      }
    },
    async close() {
      stopped = true;
      await loop;
      events.destroy();
      sqs.destroy();
    },
  };
}

function stats(values: number[]): { median: number; max: number; n: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, max: sorted[sorted.length - 1]!, n: sorted.length };
}

describe('e2e: API keys from the CLI, used over HTTP, revoked and refused', () => {
  let tap: Awaited<ReturnType<typeof tapRevocations>>;
  let tenantId: string;

  beforeAll(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sy-e2e-keys-'));
    cloud = await startLocalCloud({ services: ['identity'], stateDir });
    process.env.SWITCHYARD_DEV_JSON = join(stateDir, 'dev.json');
    tap = await tapRevocations();
  });

  afterAll(async () => {
    await tap?.close();
    await cloud?.stop();
    if (savedDevJson === undefined) delete process.env.SWITCHYARD_DEV_JSON;
    else process.env.SWITCHYARD_DEV_JSON = savedDevJson;
  });

  it('creates a tenant and keys with the CLI; a creator key is authenticated but not authorised; revoked, it is refused', async () => {
    const tenant = JSON.parse(
      await switchyard(
        'tenants',
        'create',
        '--name',
        'E2E Keys',
        '--admin-email',
        `e2e.${Date.now()}@example.com`,
        '--json',
      ),
    ) as { tenant: { tenantId: string }; apiKey: CreatedKey };
    tenantId = tenant.tenant.tenantId;
    expect(await keysStatus(tenant.apiKey.key)).toBe(200);

    const creator = JSON.parse(
      await switchyard('keys', 'create', '--tenant', tenantId, '--role', 'creator', '--json'),
    ) as CreatedKey;
    expect(creator).toMatchObject({ tenantId, role: 'creator', status: 'active' });
    expect(await keysStatus(creator.key)).toBe(403);

    const admin = JSON.parse(
      await switchyard('keys', 'create', '--tenant', tenantId, '--role', 'admin', '--json'),
    ) as CreatedKey;
    expect(await keysStatus(admin.key)).toBe(200);

    const listed = JSON.parse(
      await switchyard('keys', 'list', '--tenant', tenantId, '--json'),
    ) as CreatedKey[];
    expect(listed.map((k) => k.keyId)).toEqual(expect.arrayContaining([creator.keyId, admin.keyId]));

    expect(await switchyard('keys', 'revoke', creator.keyId)).toContain(creator.keyId);
    expect(await keysStatus(creator.key)).toBe(401);
    expect(await keysStatus(admin.key)).toBe(200);
    await tap.arrival(creator.keyId);
  });

  it(`measures revocation latency over ${SAMPLES} keys: identity refuses the first request; ApiKeyRevoked reaches the bus`, async () => {
    const refusedMs: number[] = [];
    const attempts: number[] = [];
    const onBusMs: number[] = [];
    const receivedMs: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const key = JSON.parse(
        await switchyard('keys', 'create', '--tenant', tenantId, '--role', 'creator', '--json'),
      ) as CreatedKey;
      expect(await keysStatus(key.key)).toBe(403);

      await switchyard('keys', 'revoke', key.keyId);
      const returnedAt = performance.now();
      const returnedAtWall = Date.now();
      let tries = 0;
      for (;;) {
        tries++;
        const status = await keysStatus(key.key);
        if (status === 401) {
          refusedMs.push(performance.now() - returnedAt);
          break;
        }
        expect(status).toBe(403); // still the creator key, until it is refused
        if (tries >= 2000) throw new Error(`key ${key.keyId} still accepted ${tries} requests after revoke`);
        await sleep(POLL_MS);
      }
      attempts.push(tries);

      const arrival = await tap.arrival(key.keyId);
      onBusMs.push(arrival.sentAt - returnedAtWall);
      receivedMs.push(arrival.receivedAt - returnedAtWall);
    }

    const refused = stats(refusedMs);
    const onBus = stats(onBusMs);
    const received = stats(receivedMs);
    console.log(
      [
        `Revocation latency, local cloud, n=${refused.n} keys, measured from \`switchyard keys revoke\` returning:`,
        `  identity refuses the key (first 401, polling every ${POLL_MS} ms): median ${refused.median.toFixed(1)} ms, max ${refused.max.toFixed(1)} ms; 401 on attempt ${stats(attempts).max === 1 ? '1 every time' : attempts.join(',')}`,
        `  ApiKeyRevoked on the bus (tap queue SentTimestamp): median ${onBus.median.toFixed(0)} ms, max ${onBus.max.toFixed(0)} ms`,
        `  ApiKeyRevoked received by a long-polling SQS consumer: median ${received.median.toFixed(0)} ms, max ${received.max.toFixed(0)} ms`,
      ].join('\n'),
    );

    // Identity reads its own table with a consistent read: the very first request after revoke is a 401.
    expect(attempts).toEqual(Array(SAMPLES).fill(1));
    expect(onBusMs).toHaveLength(SAMPLES);
  });
});
