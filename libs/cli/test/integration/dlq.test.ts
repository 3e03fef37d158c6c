// `switchyard dlq ...` against a real local cloud: a fixture consumer (createSqsConsumer, recording
// why it fails) whose refused messages reach its DLQ through the queue's redrive policy, and the ops
// service keeping the audit trail. Commands run in process (`main([...])`), except the Ctrl-C test,
// which spawns the real `switchyard` binary and interrupts it mid-replay.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SQSClient,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { eventually, LOCAL_CREDENTIALS, repoRoot, startLocalCloud, tapBus } from '../../../local-cloud/src';
import type { BusTap, RunningLocalCloud } from '../../../local-cloud/src';
import { runCli, runCliJson, useDevJson } from '../../src/testing';

const fixture = join(__dirname, '..', 'fixtures', 'dlq-service');
const WORK = 'dlqfix-local-work';
const DLQ = 'dlqfix-local-work-dlq';
const PARKING = 'dlqfix-local-parking';
const STREAM_FAILURES = 'dlqfix-local-stream-failures';

let cloud: RunningLocalCloud;
let stateDir: string;
let sqs: SQSClient;
let bus: BusTap;
const urls: Record<string, string> = {};
let restoreDevJson: () => void = () => {};

const run = (...args: string[]) => runCli(args);
const json = <T>(...args: string[]) => runCliJson<T>(args);

async function depth(queue: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: urls[queue],
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

/** Every body in a queue without consuming anything (the emulator's inspection endpoint). */
async function bodies(queue: string): Promise<string[]> {
  const response = await fetch(`${cloud.endpoints.sqs}/_fauxqs/queues/${queue}`);
  const inspected = (await response.json()) as {
    messages: {
      ready: { body: string }[];
      delayed: { body: string }[];
      inflight: { message: { body: string } }[];
    };
  };
  return [
    ...inspected.messages.ready.map((m) => m.body),
    ...inspected.messages.delayed.map((m) => m.body),
    ...inspected.messages.inflight.map((m) => m.message.body),
  ];
}
const eventIds = async (queue: string) => (await bodies(queue)).map((b) => JSON.parse(b).detail.id as string);

let sequence = 0;
function keyEvent(detailType: 'ApiKeyCreated' | 'ApiKeyRevoked', tenantId: string) {
  sequence += 1;
  const header = {
    version: 1,
    id: `evt-${sequence}-${tenantId}`,
    time: new Date().toISOString(),
    tenantId,
    correlationId: `corr-${sequence}`,
  };
  const keyId = `key_${sequence}`;
  const detail =
    detailType === 'ApiKeyCreated'
      ? {
          ...header,
          keyId,
          role: 'creator',
          status: 'active',
          secretHash: 'a'.repeat(64),
          createdBy: 'usr_1',
          createdAt: header.time,
        }
      : { ...header, keyId, revokedAt: header.time, revokedBy: 'usr_1' };
  return {
    version: '0',
    id: `eb-${sequence}`,
    'detail-type': detailType,
    source: 'switchyard.identity',
    account: '000000000000',
    time: header.time,
    region: 'us-east-1',
    resources: [],
    detail,
  };
}

/** Sends events to the consumer's queue; those of ten_fail* tenants end in the DLQ. */
async function sendWork(events: ReturnType<typeof keyEvent>[]) {
  for (let i = 0; i < events.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: urls[WORK],
        Entries: events
          .slice(i, i + 10)
          .map((e, index) => ({ Id: String(index), MessageBody: JSON.stringify(e) })),
      }),
    );
  }
}

async function waitForDlq(count: number) {
  await eventually(
    async () => {
      const d = await depth(DLQ);
      return d.visible + d.inFlight >= count ? true : undefined;
    },
    { timeoutMs: 60_000 },
  );
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'sy-cli-dlq-'));
  cloud = await startLocalCloud({ serviceDirs: [fixture, join(repoRoot(), 'services', 'ops')], stateDir });
  restoreDevJson = useDevJson(join(stateDir, 'dev.json'));
  sqs = new SQSClient({
    endpoint: cloud.endpoints.sqs,
    region: cloud.region,
    credentials: LOCAL_CREDENTIALS,
  });
  for (const name of [WORK, DLQ, PARKING, STREAM_FAILURES])
    urls[name] = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl!;
  bus = await tapBus(cloud, 'switchyard.ops');
});

afterAll(async () => {
  bus?.close();
  await cloud?.stop();
  restoreDevJson();
});

interface Listed {
  name: string;
  kind: string;
  sourceQueue: string | null;
  consumer: string | null;
  depth: number;
  oldestAgeSeconds: number | null;
}

describe('switchyard dlq against the local cloud', () => {
  const failing = [
    ...Array.from({ length: 4 }, () => keyEvent('ApiKeyCreated', 'ten_fail_a')),
    ...Array.from({ length: 3 }, () => keyEvent('ApiKeyRevoked', 'ten_fail_a')),
    ...Array.from({ length: 3 }, () => keyEvent('ApiKeyCreated', 'ten_fail_b')),
  ];

  beforeAll(async () => {
    await sendWork([...failing, keyEvent('ApiKeyCreated', 'ten_ok')]);
    await waitForDlq(failing.length);
    // A stream batch the `changes` consumer fails on goes to its on-failure queue.
    const dynamodb = new DynamoDBClient({
      endpoint: cloud.endpoints.dynamodb,
      region: cloud.region,
      credentials: LOCAL_CREDENTIALS,
    });
    await dynamodb.send(
      new PutItemCommand({ TableName: 'dlqfix-local-state', Item: { pk: { S: 'x' }, sk: { S: 'y' } } }),
    );
    await eventually(async () => ((await depth(STREAM_FAILURES)).visible > 0 ? true : undefined), {
      timeoutMs: 60_000,
    });
  });

  it('list: every DLQ with its source, consumer, depth and oldest age, the stream failure queue too', async () => {
    const listed = await json<Listed[]>('dlq', 'list');
    expect(listed.find((d) => d.name === DLQ)).toMatchObject({
      kind: 'redrive',
      sourceQueue: WORK,
      consumer: 'dlqfix-local-consume',
      depth: failing.length,
    });
    expect(listed.find((d) => d.name === DLQ)!.oldestAgeSeconds).toEqual(expect.any(Number));
    expect(listed.find((d) => d.name === STREAM_FAILURES)).toMatchObject({
      kind: 'stream-failure',
      sourceQueue: null,
      consumer: 'dlqfix-local-changes',
    });
    // ops' own outbox failure queue is discovered too, though nothing lists it by hand.
    expect(listed.map((d) => d.name)).toContain('ops-local-outbox-failures');
    const human = await run('dlq', 'list');
    expect(human.out).toMatch(
      new RegExp(`${DLQ}\\s+redrive\\s+${WORK}\\s+dlqfix-local-consume\\s+${failing.length}\\s+\\d+s`),
    );
  });

  it('peek: decoded messages with the reason the consumer recorded, all still visible afterwards', async () => {
    const peeked = await json<{
      messages: {
        messageId: string;
        detailType: string;
        tenantId: string;
        eventId: string;
        receiveCount: number;
        contract: string;
        failure: { reason: string; failures: number } | null;
      }[];
    }>('dlq', 'peek', DLQ, '--limit', '20');
    expect(peeked.messages).toHaveLength(failing.length);
    const byEvent = new Map(peeked.messages.map((m) => [m.eventId, m]));
    for (const event of failing) {
      const message = byEvent.get(event.detail.id)!;
      expect(message).toMatchObject({
        detailType: event['detail-type'],
        tenantId: event.detail.tenantId,
        contract: 'valid',
      });
      expect(message.receiveCount).toBeGreaterThanOrEqual(2);
      expect(message.failure?.reason).toBe(`tenant ${event.detail.tenantId} is refused by this fixture`);
      expect(message.failure?.failures).toBe(2);
    }
    expect(await depth(DLQ)).toEqual({ visible: failing.length, inFlight: 0 });

    const human = await run('dlq', 'peek', DLQ, '--limit', '1');
    expect(human.out).toMatch(/failed: tenant ten_fail_\w+ is refused by this fixture \(2 failure\(s\)/);
  });

  it('peek on a stream failure queue shows the batch: shard, sequence numbers, attempts', async () => {
    const peeked = await json<{
      messages: { kind: string; stream: Record<string, unknown> }[];
      notes: string[];
    }>('dlq', 'peek', STREAM_FAILURES);
    expect(peeked.messages[0]).toMatchObject({
      kind: 'stream-failure',
      stream: {
        batchSize: expect.any(Number),
        shardId: expect.any(String),
        startSequenceNumber: expect.any(String),
      },
    });
    expect(peeked.notes.join(' ')).toMatch(/not messages/);
  });

  it('replay refuses a stream failure queue and says why', async () => {
    const { code, err } = await run('dlq', 'replay', STREAM_FAILURES);
    expect(code).toBe(1);
    expect(err).toMatch(
      /holds Lambda's failure records for the stream .*dlqfix-local-state.* not messages: there is nothing to send back/,
    );
  });

  it('replay --dry-run: what the filter selects, nothing moved', async () => {
    const summary = await json<{
      selected: number;
      skipped: number;
      moved: number;
      selectedMessages: { tenantId: string }[];
    }>(
      'dlq',
      'replay',
      DLQ,
      '--dry-run',
      '--filter',
      'tenant=ten_fail_a',
      '--filter',
      'detail-type=ApiKeyCreated',
    );
    expect(summary).toMatchObject({ selected: 4, skipped: failing.length - 4, moved: 0 });
    expect(summary.selectedMessages.every((m) => m.tenantId === 'ten_fail_a')).toBe(true);
    expect(await depth(DLQ)).toEqual({ visible: failing.length, inFlight: 0 });
  });

  it('replay --to with a filter moves exactly the selected messages, audited and announced as DlqReplayed', async () => {
    const revoked = failing.filter((e) => e['detail-type'] === 'ApiKeyRevoked').map((e) => e.detail.id);
    const summary = await json<{ actionId: string; moved: number; skipped: number; failed: number }>(
      'dlq',
      'replay',
      DLQ,
      '--to',
      PARKING,
      '--filter',
      'detail-type=ApiKeyRevoked',
      '--rate',
      '50',
    );
    expect(summary).toMatchObject({ moved: 3, skipped: failing.length - 3, failed: 0 });
    expect((await eventIds(PARKING)).sort()).toEqual([...revoked].sort());
    expect(await depth(DLQ)).toEqual({ visible: failing.length - 3, inFlight: 0 });

    const seen = await bus.take((events) => events.some((e) => e.detail.replayId === summary.actionId));
    expect(seen.find((e) => e.detail.replayId === summary.actionId)?.detail).toMatchObject({
      dlqName: DLQ,
      targetQueue: PARKING,
      filter: { detailType: 'ApiKeyRevoked' },
      moved: 3,
      dryRun: false,
      actor: 'arn:aws:iam::000000000000:user/local-operator',
    });
    const history = await json<{ actionId: string; action: string; moved: number }[]>('dlq', 'history', DLQ);
    expect(history[0]).toMatchObject({ actionId: summary.actionId, action: 'replay', moved: 3 });
  });

  it('replay back to the source queue: the consumer handles them again (and refuses them again)', async () => {
    const before = await depth(DLQ);
    const summary = await json<{ moved: number }>(
      'dlq',
      'replay',
      DLQ,
      '--filter',
      'tenant=ten_fail_b',
      '--rate',
      '50',
    );
    expect(summary.moved).toBe(3);
    // The fixture still refuses ten_fail_b: after two more receives they are back in the DLQ, each once.
    await waitForDlq(before.visible);
    const ids = await eventIds(DLQ);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('Ctrl-C mid-replay: the in-flight message finishes, the rest stays; nothing lost or doubled', async () => {
    const extra = Array.from({ length: 25 }, () => keyEvent('ApiKeyCreated', 'ten_fail_c'));
    await sendWork(extra);
    const total = (await depth(DLQ)).visible + extra.length;
    await waitForDlq(total);
    const before = new Set([...(await eventIds(DLQ)), ...(await eventIds(PARKING))]);

    const child = spawn(
      join(repoRoot(), 'node_modules', '.bin', 'node'),
      [
        join(repoRoot(), 'libs', 'cli', 'bin', 'switchyard.mjs'),
        'dlq',
        'replay',
        DLQ,
        '--to',
        PARKING,
        '--rate',
        '4',
      ],
      {
        cwd: repoRoot(),
        env: { ...process.env, SWITCHYARD_DEV_JSON: join(stateDir, 'dev.json') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const parkedBefore = (await eventIds(PARKING)).length;
    await eventually(async () => ((await eventIds(PARKING)).length >= parkedBefore + 3 ? true : undefined));
    child.kill('SIGINT');
    const code = await exited;

    expect({ code, err: err.includes('stopping after the message in flight') }).toEqual({
      code: 130,
      err: true,
    });
    expect(out).toMatch(/^Stopped by Ctrl-C: moved (\d+) message\(s\)/);
    const moved = Number(/moved (\d+) message/.exec(out)![1]);
    expect(moved).toBeGreaterThanOrEqual(3);
    expect(moved).toBeLessThan(total);
    // Every message is in exactly one of the two queues, and the DLQ's are visible again at once.
    const inDlq = await eventIds(DLQ);
    const parked = await eventIds(PARKING);
    expect(parked.length - parkedBefore).toBe(moved);
    expect(inDlq.length + parked.length).toBe(before.size);
    expect(new Set([...inDlq, ...parked])).toEqual(before);
    expect(await depth(DLQ)).toEqual({ visible: inDlq.length, inFlight: 0 });
    const history = await json<{ moved: number; interrupted: boolean }[]>('dlq', 'history', DLQ);
    expect(history[0]).toMatchObject({ moved, interrupted: true });
  });

  it('purge needs --yes, writes the backup first, and empties the DLQ', async () => {
    const refused = await run('dlq', 'purge', DLQ);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/add --yes/);
    const ids = await eventIds(DLQ);
    const backup = join(stateDir, 'purge-backup.jsonl');
    const summary = await json<{ purged: number; backupFile: string }>(
      'dlq',
      'purge',
      DLQ,
      '--yes',
      '--backup',
      backup,
    );
    expect(summary).toEqual(expect.objectContaining({ purged: ids.length, backupFile: backup }));
    const lines = readFileSync(backup, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((l) => JSON.parse(l.body).detail.id).sort()).toEqual([...ids].sort());
    expect(await depth(DLQ)).toEqual({ visible: 0, inFlight: 0 });
    const history = await json<{ action: string; backupFile: string }[]>('dlq', 'history', DLQ);
    expect(history[0]).toMatchObject({ action: 'purge', backupFile: backup });
  });
});
