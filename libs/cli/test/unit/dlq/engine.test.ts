import { peekMessages, purgeMessages, replayMessages } from '../../../src/dlq/engine';
import type { QueuePort, ReplayOptions } from '../../../src/dlq/engine';
import { RateLimiter } from '../../../src/dlq/rate';
import { MemoryQueues } from './memory-queue';

const DLQ = 'http://sqs/dlq';
const SOURCE = 'http://sqs/source';

const event = (detailType: string, tenantId: string, id: string) => ({
  version: '0',
  id: `eb-${id}`,
  'detail-type': detailType,
  source: 'switchyard.identity',
  detail: { version: 1, id, time: '2025-03-14T10:00:00.000Z', tenantId, correlationId: `c-${id}` },
});

const noWait = () => new RateLimiter(1e9);

/** Replays everything from DLQ to SOURCE without waiting for the rate, unless `options` say otherwise. */
const replay = (port: QueuePort, options: Partial<ReplayOptions> = {}) =>
  replayMessages({
    port,
    dlqUrl: DLQ,
    targetUrl: SOURCE,
    filter: {},
    dryRun: false,
    rate: 10,
    limiter: noWait(),
    ...options,
  });

function fill(queues: MemoryQueues, n: number, detailType = 'ApiKeyCreated', tenant = 'ten_1'): string[] {
  return Array.from({ length: n }, (_, i) =>
    queues.add(DLQ, event(detailType, tenant, `${detailType}-${tenant}-${i}`)),
  );
}

describe('peekMessages', () => {
  it('returns each message once and leaves every one visible in the DLQ', async () => {
    const queues = new MemoryQueues();
    const ids = fill(queues, 23);
    const peeked = await peekMessages({ port: queues, queueUrl: DLQ, limit: 15 });
    expect(peeked.map((m) => m.MessageId)).toEqual(ids.slice(0, 15));
    expect(queues.visible(DLQ)).toBe(23);
    expect(queues.ids(DLQ)).toEqual(ids);
  });
});

describe('replayMessages', () => {
  it('moves what the filter selects, sending before deleting, and leaves the rest visible', async () => {
    const queues = new MemoryQueues();
    const created = fill(queues, 4, 'ApiKeyCreated');
    const revoked = fill(queues, 3, 'ApiKeyRevoked');
    const result = await replay(queues, {
      filter: { detailType: 'ApiKeyCreated' },
    });
    expect(result).toMatchObject({ moved: 4, skipped: 3, failed: 0, interrupted: false, sentNotDeleted: [] });
    expect(result.movedIds).toEqual(created);
    expect(queues.ids(DLQ)).toEqual(revoked);
    expect(queues.visible(DLQ)).toBe(3);
    expect(queues.queue(SOURCE)).toHaveLength(4);
    for (const id of created) {
      const send = queues.calls.indexOf(`send ${SOURCE} ${id}`);
      const del = queues.calls.findIndex((call) => call.startsWith(`delete ${DLQ} ${id}#`));
      expect(send).toBeGreaterThanOrEqual(0);
      expect(del).toBeGreaterThan(send);
    }
  });

  it('keeps the original body and attributes', async () => {
    const queues = new MemoryQueues();
    queues.add(DLQ, '{"raw":true}', { attributes: { detailType: { StringValue: 'X', DataType: 'String' } } });
    await replay(queues);
    expect(queues.queue(SOURCE)[0]).toMatchObject({
      body: '{"raw":true}',
      attributes: { detailType: { StringValue: 'X' } },
    });
  });

  it('moves nothing in a dry run and lists what would move', async () => {
    const queues = new MemoryQueues();
    const ids = fill(queues, 5);
    const result = await replay(queues, {
      filter: { messageIds: [ids[1]!, 'ApiKeyCreated-ten_1-3'] },
      dryRun: true,
    });
    expect(result).toMatchObject({ moved: 0, selected: 2, skipped: 3 });
    expect(result.selectedMessages.map((m) => m.messageId)).toEqual([ids[1], ids[3]]);
    expect(queues.ids(DLQ)).toEqual(ids);
    expect(queues.visible(DLQ)).toBe(5);
    expect(queues.queue(SOURCE)).toHaveLength(0);
  });

  it('stops at --max and leaves the rest visible', async () => {
    const queues = new MemoryQueues();
    fill(queues, 25);
    const result = await replay(queues, {
      max: 12,
    });
    expect(result.moved).toBe(12);
    expect(queues.queue(SOURCE)).toHaveLength(12);
    expect(queues.visible(DLQ)).toBe(13);
  });

  it('on a stop request finishes the message in flight, then releases everything else: no loss, no double', async () => {
    const queues = new MemoryQueues();
    const ids = fill(queues, 30);
    const stop = new AbortController();
    const result = await replay(queues, {
      stopSignal: stop.signal,
      onProgress: (p) => {
        if (p.moved === 7) stop.abort();
      },
    });
    expect(result).toMatchObject({ moved: 7, interrupted: true });
    const moved = queues.bodies(SOURCE).map((b) => JSON.parse(b).detail.id);
    const left = queues.bodies(DLQ).map((b) => JSON.parse(b).detail.id);
    expect(moved).toHaveLength(7);
    expect(new Set([...moved, ...left]).size).toBe(ids.length);
    expect(moved.length + left.length).toBe(ids.length);
    expect(queues.visible(DLQ)).toBe(23);
  });

  it('keeps a message whose send failed, and reports one sent but not deleted', async () => {
    const queues = new MemoryQueues();
    fill(queues, 2);
    queues.failSendsTo.add(SOURCE);
    const failed = await replay(queues);
    expect(failed).toMatchObject({ moved: 0, failed: 2 });
    expect(queues.visible(DLQ)).toBe(2);

    queues.failSendsTo.clear();
    queues.failDeletes = true;
    const doubled = await replay(queues);
    expect(doubled.sentNotDeleted).toHaveLength(2);
    expect(doubled.failures[0]!.error).toMatch(/^sent, but not deleted/);
  });

  it('does not send again a copy that failed again and came back while the replay runs', async () => {
    const queues = new MemoryQueues();
    fill(queues, 2);
    const port = queues.portWith({
      // The consumer refuses at once: SQS redrives the copy straight back to the DLQ.
      send: async (url, m) => {
        const id = await queues.send(url, m);
        queues.redrive(url, DLQ, id);
        return id;
      },
    });
    const result = await replay(port);
    expect(result).toMatchObject({ moved: 2, returned: 2 });
    expect(queues.queue(DLQ)).toHaveLength(2);
    expect(queues.visible(DLQ)).toBe(2);
  });

  it('sends at most `rate` messages per second', async () => {
    const queues = new MemoryQueues();
    fill(queues, 5);
    let time = 0;
    const sendTimes: number[] = [];
    const port = queues.portWith({
      send: async (url, m) => {
        sendTimes.push(time);
        return queues.send(url, m);
      },
    });
    await replay(port, {
      rate: 2,
      limiter: new RateLimiter(2, { now: () => time, sleep: async (ms) => void (time += ms) }),
    });
    expect(sendTimes).toEqual([0, 500, 1000, 1500, 2000]);
  });
});

describe('purgeMessages', () => {
  it('backs up each batch before deleting it', async () => {
    const queues = new MemoryQueues();
    const ids = fill(queues, 14);
    const order: string[] = [];
    const backedUp: string[] = [];
    const port = queues.portWith({
      deleteBatch: async (url, handles) => {
        order.push(`delete ${handles.length}`);
        return queues.deleteBatch(url, handles);
      },
    });
    const result = await purgeMessages({
      port,
      dlqUrl: DLQ,
      backup: async (messages) => {
        order.push(`backup ${messages.length}`);
        backedUp.push(...messages.map((m) => m.MessageId!));
      },
    });
    expect(result).toMatchObject({ purged: 14, failed: 0 });
    expect(order).toEqual(['backup 10', 'delete 10', 'backup 4', 'delete 4']);
    expect(backedUp).toEqual(ids);
    expect(queues.queue(DLQ)).toHaveLength(0);
  });

  it('deletes nothing of a batch it could not back up', async () => {
    const queues = new MemoryQueues();
    fill(queues, 3);
    await expect(
      purgeMessages({
        port: queues,
        dlqUrl: DLQ,
        backup: async () => Promise.reject(new Error('disk full')),
      }),
    ).rejects.toThrow('disk full');
    expect(queues.visible(DLQ)).toBe(3);
  });
});
