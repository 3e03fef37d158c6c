// ops' operator routes against the real local cloud: the audit trail the DLQ tool writes, signed
// like the CLI signs (SigV4, the local secret), and DlqReplayed on the bus through the outbox.
import type { ApiError } from '@switchyard/cli/src/api';
import { OperatorApi, LOCAL_CREDENTIALS } from '@switchyard/cli/src/api';
import { startLocalCloud, tapBus } from '@switchyard/local-cloud';
import type { BusTap, RunningLocalCloud } from '@switchyard/local-cloud';

/** Who the local gateway says signed a request with the local credentials. */
const LOCAL_OPERATOR_ARN = 'arn:aws:iam::000000000000:user/local-operator';

interface Record {
  actionId: string;
  action: string;
  status: string;
  actor: string;
  [key: string]: unknown;
}

let cloud: RunningLocalCloud;
let bus: BusTap;
let api: OperatorApi;

beforeAll(async () => {
  cloud = await startLocalCloud({ services: ['ops'] });
  bus = await tapBus(cloud, 'switchyard.ops');
  api = new OperatorApi({ baseUrl: cloud.apiUrl, region: cloud.region, credentials: LOCAL_CREDENTIALS });
});

afterAll(async () => {
  bus?.close();
  await cloud?.stop();
});

const dlqName = `ingest-local-projections-dlq-${Date.now()}`;

describe('DLQ actions (operator routes)', () => {
  let replay: Record;

  it('records a replay before anything moves, with the signer as actor', async () => {
    replay = await api.request<Record>('POST', '/operator/dlq-actions', {
      body: {
        action: 'replay',
        dlqName,
        targetQueue: 'ingest-local-projections',
        filter: { detailType: 'ApiKeyCreated', tenantId: 'ten_42', messageIds: ['m-1', 'm-2'] },
      },
    });
    expect(replay).toMatchObject({
      action: 'replay',
      status: 'started',
      actor: LOCAL_OPERATOR_ARN,
      dryRun: false,
    });
    expect(replay.actionId).toMatch(/^dlqa_/);
  });

  it('finishing it records the counts and publishes DlqReplayed once', async () => {
    const finished = await api.request<Record>('POST', `/operator/dlq-actions/${replay.actionId}/finish`, {
      body: { moved: 2, skipped: 1, failed: 0, messageIds: ['m-1', 'm-2'] },
    });
    expect(finished).toMatchObject({
      status: 'finished',
      moved: 2,
      skipped: 1,
      failed: 0,
      interrupted: false,
    });
    const seen = await bus.take((events) => events.some((e) => e.detail.replayId === replay.actionId));
    const event = seen.find((e) => e.detail.replayId === replay.actionId)!;
    expect(event['detail-type']).toBe('DlqReplayed');
    expect(event.detail).toMatchObject({
      tenantId: 'ten_42',
      dlqName,
      targetQueue: 'ingest-local-projections',
      filter: { detailType: 'ApiKeyCreated', tenantId: 'ten_42', messageIds: ['m-1', 'm-2'] },
      moved: 2,
      actor: LOCAL_OPERATOR_ARN,
      dryRun: false,
    });

    await expect(
      api.request('POST', `/operator/dlq-actions/${replay.actionId}/finish`, {
        body: { moved: 2, skipped: 1, failed: 0 },
      }),
    ).rejects.toMatchObject({ status: 409 });
  });

  it('records a purge with its backup file, and publishes nothing for it', async () => {
    const purge = await api.request<Record>('POST', '/operator/dlq-actions', {
      body: { action: 'purge', dlqName },
    });
    await api.request('POST', `/operator/dlq-actions/${purge.actionId}/finish`, {
      body: { moved: 4, skipped: 0, failed: 0, backupFile: '/tmp/backup.jsonl' },
    });
    const { items } = await api.request<{ items: Record[] }>('GET', '/operator/dlq-actions', {
      query: { dlq: dlqName },
    });
    expect(items.map((item) => [item.action, item.status])).toEqual([
      ['purge', 'finished'],
      ['replay', 'finished'],
    ]);
    expect(items[0]!.backupFile).toBe('/tmp/backup.jsonl');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await bus.take(() => true, 2000);
    expect(bus.seen.filter((e) => e.detail.replayId === purge.actionId)).toEqual([]);
  });

  it('an action with no filter does not stall the outbox: the next DlqReplayed still arrives', async () => {
    const replayAll = await api.request<Record>('POST', '/operator/dlq-actions', {
      body: { action: 'replay', dlqName, targetQueue: 'ingest-local-projections' },
    });
    await api.request('POST', `/operator/dlq-actions/${replayAll.actionId}/finish`, {
      body: { moved: 0, skipped: 0, failed: 0 },
    });
    const seen = await bus.take((events) => events.some((e) => e.detail.replayId === replayAll.actionId));
    expect(seen.find((e) => e.detail.replayId === replayAll.actionId)?.detail.filter).toEqual({});
  });

  it('refuses unsigned requests, bad bodies and unknown actions', async () => {
    const unsigned = await fetch(`${cloud.apiUrl}/operator/dlq-actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'purge', dlqName }),
    });
    expect(unsigned.status).toBe(403);
    const bad = await api
      .request('POST', '/operator/dlq-actions', { body: { action: 'replay', dlqName } })
      .catch((error: ApiError) => error);
    expect(bad).toMatchObject({ status: 400 });
    await expect(
      api.request('POST', '/operator/dlq-actions/dlqa_nope/finish', {
        body: { moved: 0, skipped: 0, failed: 0 },
      }),
    ).rejects.toMatchObject({ status: 404 });
  });
});
