// e2e: `npx switchyard bus replay` on a real local cloud (identity, ingest, delivery, ops). Events
// published through ingest reach a webhook once; an hour of the bus's archive is then replayed to
// the rules that take EventReceived. The replay reaches delivery (an endpoint subscribed after the
// first delivery receives every replayed event) and no webhook is sent twice to the endpoint that
// already had them (delivery's idempotency). The replay is audited by ops.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { operatorApi } from '@switchyard/cli/src/api';
import type { ReplayOutcome } from '@switchyard/cli/src/bus/replay';
import { resolveTarget } from '@switchyard/cli/src/target';
import { runCli, runCliJson, useDevJson } from '@switchyard/cli/src/testing';
import type { BusReplayRecord } from '@switchyard/contracts';
import { eventually, startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';

const EVENTS = 5;

interface Hook {
  url: string;
  ids: string[];
  close(): Promise<void>;
}

/** A webhook endpoint that records each request's `webhook-id` and answers 200. */
async function startHook(): Promise<Hook> {
  const ids: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      ids.push(String(req.headers['webhook-id'] ?? ''));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    ids,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let cloud: RunningLocalCloud;
let restoreDevJson: () => void = () => {};
const hooks: Hook[] = [];

async function subscribe(url: string): Promise<void> {
  const response = await fetch(`${cloud.apiUrl}/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cloud.apiKey!}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url, event_types: ['replay.*'] }),
  });
  expect(response.status).toBe(201);
}

beforeAll(async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'sy-e2e-replay-'));
  cloud = await startLocalCloud({
    services: ['identity', 'ingest', 'delivery', 'ops'],
    stateDir,
    // Packaging four services on a busy machine takes minutes.
    timeoutMs: 540_000,
  });
  restoreDevJson = useDevJson(join(stateDir, 'dev.json'));
  await eventually(
    async () => {
      const r = await fetch(`${cloud.apiUrl}/subscriptions?limit=1`, {
        headers: { authorization: `Bearer ${cloud.apiKey!}` },
      });
      return r.status === 200 ? true : undefined;
    },
    { what: 'delivery knows the demo key', timeoutMs: 60_000 },
  );
}, 600_000);

afterAll(async () => {
  restoreDevJson();
  await Promise.all(hooks.map((hook) => hook.close()));
  await cloud?.stop();
});

it('replays an hour of EventReceived into delivery without sending any webhook twice, audited', async () => {
  const first = await startHook();
  hooks.push(first);
  await subscribe(first.url);
  for (let i = 0; i < EVENTS; i++) {
    const response = await fetch(`${cloud.apiUrl}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cloud.apiKey!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: 'replay.test', payload: { i } }),
    });
    expect(response.status).toBe(202);
    // The demo tenant's plan limits bursts; stay under it.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  }
  await eventually(async () => (first.ids.length >= EVENTS ? true : undefined), {
    what: 'every event reached the first endpoint',
    timeoutMs: 60_000,
  });

  // An endpoint subscribed now has seen nothing: what it receives came from the replay.
  const second = await startHook();
  hooks.push(second);
  await subscribe(second.url);

  const dry = await runCliJson<ReplayOutcome>([
    'bus',
    'replay',
    '--since',
    '1h',
    '--detail-type',
    'EventReceived',
    '--dry-run',
  ]);
  expect(dry.outcome).toBe('DRY_RUN');
  expect(dry.rules.some((rule) => rule.startsWith('delivery-local'))).toBe(true);

  const replay = await runCliJson<ReplayOutcome>([
    'bus',
    'replay',
    '--since',
    '1h',
    '--detail-type',
    'EventReceived',
  ]);
  expect(replay.outcome).toBe('COMPLETED');
  expect(replay.replayName).toMatch(/^switchyard-/);
  expect(replay.archivedEvents).toBeGreaterThanOrEqual(EVENTS);

  await eventually(async () => (second.ids.length >= EVENTS ? true : undefined), {
    what: 'the replayed events reached the endpoint subscribed after them',
    timeoutMs: 60_000,
  });
  // Time for any duplicate to the first endpoint to show up.
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  expect(first.ids).toHaveLength(EVENTS);
  expect(new Set(first.ids).size).toBe(EVENTS);
  expect(new Set(second.ids).size).toBe(second.ids.length);

  // Audited: the dry run and the replay, newest first, the replay finished with its name.
  const api = await operatorApi(resolveTarget({}));
  const { items } = await api.request<{ items: BusReplayRecord[] }>('GET', '/operator/bus-replays', {
    query: { bus: 'switchyard-local-bus' },
  });
  expect(items.map((r) => [r.dryRun, r.status, r.outcome])).toEqual([
    [false, 'finished', 'COMPLETED'],
    [true, 'finished', 'DRY_RUN'],
  ]);
  expect(items[0]!.replayName).toBe(replay.replayName);

  // A rule that does not exist is refused before anything is recorded.
  const refused = await runCli(['bus', 'replay', '--since', '1h', '--rule', 'no-such-rule']);
  expect(refused.code).not.toBe(0);
  expect(refused.err).toContain('no such rule');
}, 300_000);
