// e2e: `npx switchyard bus replay` on a real local cloud (identity, ingest, delivery, ops), as the
// bus replay runbook runs it. Events published through ingest reach a webhook once and are kept in
// the bus's archive; an hour of the archive is then replayed to the rules that take EventReceived.
// A rule added after the events (a queue this test reads) sees each replayed event once, carrying
// `replay-name`; delivery fans them out again: an endpoint subscribed after the first delivery
// receives every event, the endpoint that already had them receives none twice (delivery's
// idempotency). A dry run replays nothing; both are audited by ops; bad input is refused.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeArchiveCommand,
  EventBridgeClient,
  ListReplaysCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { ApiError, LOCAL_CREDENTIALS, operatorApi } from '@switchyard/cli/src/api';
import type { ReplayOutcome } from '@switchyard/cli/src/bus/replay';
import { resolveTarget } from '@switchyard/cli/src/target';
import { runCli, runCliJson, useDevJson } from '@switchyard/cli/src/testing';
import type { BusReplayRecord } from '@switchyard/contracts';
import { eventually, startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';

const EVENTS = 5;
const BUS = 'switchyard-local-bus';
const WATCH_RULE = 'e2e-replay-watch';

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

interface Envelope {
  'detail-type': string;
  'replay-name'?: string;
  detail: { eventId: string };
}

let cloud: RunningLocalCloud;
let restoreDevJson: () => void = () => {};
let events: EventBridgeClient;
let sqs: SQSClient;
let watchQueueUrl: string;
const hooks: Hook[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function subscribe(url: string): Promise<void> {
  const response = await fetch(`${cloud.apiUrl}/subscriptions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cloud.apiKey!}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url, event_types: ['replay.*'] }),
  });
  expect(response.status).toBe(201);
}

/** Everything the watch queue holds now (deleted as read), waiting up to `waitSeconds` for the first. */
async function drainWatchQueue(waitSeconds: number): Promise<Envelope[]> {
  const got: Envelope[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: watchQueueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: got.length ? 0 : waitSeconds,
      }),
    );
    if (!Messages.length) return got;
    for (const message of Messages) {
      got.push(JSON.parse(message.Body!) as Envelope);
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: watchQueueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
    }
  }
}

const archivedCount = async () =>
  Number((await events.send(new DescribeArchiveCommand({ ArchiveName: BUS }))).EventCount);

beforeAll(async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'sy-e2e-replay-'));
  cloud = await startLocalCloud({
    services: ['identity', 'ingest', 'delivery', 'ops'],
    stateDir,
    // Packaging four services on a busy machine takes minutes.
    timeoutMs: 540_000,
  });
  restoreDevJson = useDevJson(join(stateDir, 'dev.json'));
  const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
  events = new EventBridgeClient({ ...common, endpoint: cloud.endpoints.events });
  sqs = new SQSClient({ ...common, endpoint: cloud.endpoints.sqs });
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

const first: { hook?: Hook; eventIds: string[] } = { eventIds: [] };
let second: Hook;
let replay: ReplayOutcome;

it('keeps every event the bus accepts in its archive', async () => {
  first.hook = await startHook();
  hooks.push(first.hook);
  await subscribe(first.hook.url);
  const before = await archivedCount();
  for (let i = 0; i < EVENTS; i++) {
    const response = await fetch(`${cloud.apiUrl}/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cloud.apiKey!}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event_type: 'replay.test', payload: { i } }),
    });
    expect(response.status).toBe(202);
    first.eventIds.push(((await response.json()) as { event_id: string }).event_id);
    // The demo tenant's plan limits bursts; stay under it.
    await sleep(1_100);
  }
  await eventually(async () => (first.hook!.ids.length >= EVENTS ? true : undefined), {
    what: 'every event reached the first endpoint',
    timeoutMs: 60_000,
  });
  expect(first.hook.ids).toHaveLength(EVENTS);
  // Each EventReceived, at least (other services' events are archived too).
  expect((await archivedCount()) - before).toBeGreaterThanOrEqual(EVENTS);

  // What is added now has seen nothing: what it receives came from the replay.
  second = await startHook();
  hooks.push(second);
  await subscribe(second.url);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'e2e-replay-watch' }));
  watchQueueUrl = QueueUrl!;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await events.send(
    new PutRuleCommand({
      Name: WATCH_RULE,
      EventBusName: BUS,
      EventPattern: JSON.stringify({ source: ['switchyard.ingest'], 'detail-type': ['EventReceived'] }),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: WATCH_RULE,
      EventBusName: BUS,
      Targets: [{ Id: 'watch', Arn: Attributes!.QueueArn! }],
    }),
  );
}, 180_000);

it('a dry run names the rules and counts the archive, and replays nothing', async () => {
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
  expect(dry.replayName).toBeUndefined();
  expect([...dry.rules].sort()).toEqual(['delivery-local-event-received', WATCH_RULE]);
  expect(dry.archivedEvents).toBeGreaterThanOrEqual(EVENTS);
  expect(dry.replayId).toMatch(/^busr_/);

  expect(await drainWatchQueue(3)).toEqual([]);
  expect(second.ids).toEqual([]);
  const { Replays = [] } = await events.send(new ListReplaysCommand({ NamePrefix: 'switchyard-' }));
  expect(Replays).toEqual([]);
}, 60_000);

it('replays the window to the rules that take EventReceived, each event carrying replay-name, no webhook sent twice', async () => {
  replay = await runCliJson<ReplayOutcome>([
    'bus',
    'replay',
    '--since',
    '1h',
    '--detail-type',
    'EventReceived',
  ]);
  expect(replay.outcome).toBe('COMPLETED');
  expect(replay.replayName).toMatch(/^switchyard-/);

  // The rule's target got each event of the window once, marked as replayed.
  const watched: Envelope[] = [];
  await eventually(
    async () => {
      watched.push(...(await drainWatchQueue(1)));
      return watched.length >= EVENTS ? true : undefined;
    },
    { what: 'the replayed events reached the watch rule', timeoutMs: 30_000 },
  );
  watched.push(...(await drainWatchQueue(2)));
  expect(watched.map((e) => e.detail.eventId).sort()).toEqual([...first.eventIds].sort());
  expect(watched.every((e) => e['replay-name'] === replay.replayName)).toBe(true);
  expect(watched.every((e) => e['detail-type'] === 'EventReceived')).toBe(true);

  // Delivery fanned them out again: new endpoint served, old one not twice.
  await eventually(async () => (second.ids.length >= EVENTS ? true : undefined), {
    what: 'the replayed events reached the endpoint subscribed after them',
    timeoutMs: 60_000,
  });
  // Time for any duplicate to show up.
  await sleep(5_000);
  expect(second.ids).toHaveLength(EVENTS);
  expect(new Set(second.ids).size).toBe(EVENTS);
  expect(first.hook!.ids).toHaveLength(EVENTS);
  expect(new Set(first.hook!.ids).size).toBe(EVENTS);

  const { Replays = [] } = await events.send(new ListReplaysCommand({ NamePrefix: 'switchyard-' }));
  expect(Replays.map((r) => [r.ReplayName, r.State])).toEqual([[replay.replayName, 'COMPLETED']]);
}, 120_000);

it('audits the dry run and the replay in ops, newest first', async () => {
  const api = await operatorApi(resolveTarget({}));
  const { items } = await api.request<{ items: BusReplayRecord[] }>('GET', '/operator/bus-replays', {
    query: { bus: BUS },
  });
  expect(items.map((r) => [r.dryRun, r.status, r.outcome, r.detailType])).toEqual([
    [false, 'finished', 'COMPLETED', 'EventReceived'],
    [true, 'finished', 'DRY_RUN', 'EventReceived'],
  ]);
  expect(items[0]!.replayName).toBe(replay.replayName);
  expect(items[0]!.replayId).toBe(replay.replayId);
  expect([...items[0]!.rules].sort()).toEqual(['delivery-local-event-received', WATCH_RULE]);
  expect(items[0]!.actor).not.toBe('');

  // What the runbook reads: `switchyard bus history`.
  expect(await runCliJson<BusReplayRecord[]>(['bus', 'history'])).toEqual(items);
  const history = await runCli(['bus', 'history']);
  expect(history.code).toBe(0);
  const lines = history.out.trim().split('\n');
  expect(lines[0]).toMatch(/^STARTED\s+BY\s+SINCE\s+UNTIL\s+RULES\s+OUTCOME\s+REPLAY\s+AUDIT$/);
  expect(lines[1]).toContain(replay.replayName!);
  expect(lines[1]).toContain('COMPLETED');
  expect(lines[2]).toContain('DRY_RUN');
}, 60_000);

it('refuses an unknown rule or a bad window before anything is recorded', async () => {
  const unknownRule = await runCli(['bus', 'replay', '--since', '1h', '--rule', 'no-such-rule']);
  expect(unknownRule.code).not.toBe(0);
  expect(unknownRule.err).toContain('no such rule on the bus: no-such-rule');

  const backwards = await runCli(['bus', 'replay', '--since', '1h', '--until', '2h']);
  expect(backwards.code).not.toBe(0);
  expect(backwards.err).toContain('--since must be before --until');

  const notATime = await runCli(['bus', 'replay', '--since', 'yesterday']);
  expect(notATime.code).not.toBe(0);
  expect(notATime.err).toContain('is not a time');

  // The audit route refuses the same window itself, in the platform's error shape.
  const api = await operatorApi(resolveTarget({}));
  const refused = await api
    .request('POST', '/operator/bus-replays', {
      body: {
        busName: BUS,
        archiveName: BUS,
        since: '2026-01-02T00:00:00.000Z',
        until: '2026-01-01T00:00:00.000Z',
        rules: [],
        dryRun: true,
      },
    })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  expect(refused).toBeInstanceOf(ApiError);
  expect((refused as ApiError).status).toBe(400);
  expect((refused as ApiError).code).toBe('validation_failed');

  const { items } = await api.request<{ items: BusReplayRecord[] }>('GET', '/operator/bus-replays', {
    query: { bus: BUS },
  });
  expect(items).toHaveLength(2);
  const { Replays = [] } = await events.send(new ListReplaysCommand({ NamePrefix: 'switchyard-' }));
  expect(Replays).toHaveLength(1);
}, 60_000);
