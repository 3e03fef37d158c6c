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
import type { CreatedKey } from '@switchyard/cli/src/commands/keys';
import { createKey, runCli, runCliJson, useDevJson } from '@switchyard/cli/src/testing';
import { busQueue, startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';

/** How many keys the revocation figures are measured over. */
const SAMPLES = 20;
/** Pause between two requests with a revoked key while waiting for the first 401. */
const POLL_MS = 5;

/** One ApiKeyRevoked seen by the tap: when the queue got it, and when our long poll returned it. */
interface Arrival {
  sentAt: number;
  receivedAt: number;
}

let cloud: RunningLocalCloud;
let restoreDevJson: () => void = () => {};

/** `npx switchyard ...args` in process, for its text output; throws on a non-zero exit. */
async function switchyard(...args: string[]): Promise<string> {
  const { code, out, err } = await runCli(args);
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
  const queue = await busQueue(
    cloud,
    { source: ['switchyard.identity'], 'detail-type': ['ApiKeyRevoked'] },
    'e2e-revocations',
  );
  const arrivals = new Map<string, Arrival>();
  let stopped = false;
  let failure: unknown;
  const loop = (async () => {
    while (!stopped) {
      const messages = await queue.receive(['SentTimestamp']);
      const receivedAt = Date.now();
      for (const message of messages) {
        const envelope = JSON.parse(message.Body ?? '{}') as { detail?: { keyId?: string } };
        const keyId = envelope.detail?.keyId;
        const sentAt = Number(message.Attributes?.SentTimestamp ?? receivedAt);
        if (keyId && !arrivals.has(keyId)) arrivals.set(keyId, { sentAt, receivedAt });
      }
      await queue.remove(messages);
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
      queue.close();
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
    restoreDevJson = useDevJson(join(stateDir, 'dev.json'));
    tap = await tapRevocations();
  });

  afterAll(async () => {
    await tap?.close();
    await cloud?.stop();
    restoreDevJson();
  });

  it('creates a tenant and keys with the CLI; a creator key is authenticated but not authorised; revoked, it is refused', async () => {
    const tenant = await runCliJson<{ tenant: { tenantId: string }; apiKey: CreatedKey }>([
      'tenants',
      'create',
      '--name',
      'E2E Keys',
      '--admin-email',
      `e2e.${Date.now()}@example.com`,
    ]);
    tenantId = tenant.tenant.tenantId;
    expect(await keysStatus(tenant.apiKey.key)).toBe(200);

    const creator = await createKey(tenantId, 'creator');
    expect(creator).toMatchObject({ tenantId, role: 'creator', status: 'active' });
    expect(await keysStatus(creator.key)).toBe(403);

    const admin = await createKey(tenantId, 'admin');
    expect(await keysStatus(admin.key)).toBe(200);

    const listed = await runCliJson<CreatedKey[]>(['keys', 'list', '--tenant', tenantId]);
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
      const key = await createKey(tenantId, 'creator');
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
