import { DlqReplayed } from '@switchyard/contracts';
import {
  MAX_RECORDED_IDS,
  finishBody,
  finishRecord,
  replayedEvent,
  startBody,
  startRecord,
} from '../../src/domain/dlq-actions';

const now = new Date('2025-03-14T11:00:00.000Z');
const later = new Date('2025-03-14T11:00:42.000Z');
const actor = 'arn:aws:sts::123456789012:assumed-role/oncall/ada';

describe('DLQ action records', () => {
  it('a replay needs a target queue, a purge has none; unknown fields are refused', () => {
    expect(startBody.safeParse({ action: 'replay', dlqName: 'q-dlq' }).success).toBe(false);
    expect(startBody.safeParse({ action: 'purge', dlqName: 'q-dlq', targetQueue: 'q' }).success).toBe(false);
    expect(
      startBody.safeParse({ action: 'replay', dlqName: 'q-dlq', targetQueue: 'q', extra: 1 }).success,
    ).toBe(false);
    expect(startBody.parse({ action: 'purge', dlqName: 'q-dlq' })).toEqual({
      action: 'purge',
      dlqName: 'q-dlq',
      filter: {},
      dryRun: false,
    });
  });

  it('a finished replay becomes a DlqReplayed that the contract accepts, on the filtered tenant', () => {
    const started = startRecord(
      startBody.parse({
        action: 'replay',
        dlqName: 'ingest-prod-projections-dlq',
        targetQueue: 'ingest-prod-projections',
        filter: { tenantId: 'ten_1', detailType: 'ApiKeyCreated', messageIds: ['m-1'] },
      }),
      actor,
      'dlqa_1',
      now,
    );
    expect(replayedEvent(started)).toBeUndefined();
    const finished = finishRecord(
      started,
      finishBody.parse({ moved: 3, skipped: 1, failed: 0, messageIds: ['a', 'b', 'c'] }),
      later,
    );
    const event = replayedEvent(finished)!;
    expect(event).toMatchObject({
      tenantId: 'ten_1',
      dlqName: 'ingest-prod-projections-dlq',
      targetQueue: 'ingest-prod-projections',
      moved: 3,
      skipped: 1,
      failed: 0,
      actor,
      dryRun: false,
      startedAt: now.toISOString(),
      finishedAt: later.toISOString(),
      replayId: 'dlqa_1',
      interrupted: false,
    });
    const message = { ...event, version: 1, id: 'x', time: later.toISOString(), correlationId: 'c' };
    expect(DlqReplayed.schema.safeParse(message).success).toBe(true);
  });

  it('spans tenants as _platform, and a purge publishes nothing', () => {
    const replay = finishRecord(
      startRecord(startBody.parse({ action: 'replay', dlqName: 'd', targetQueue: 't' }), actor, 'a', now),
      finishBody.parse({ moved: 0, skipped: 0, failed: 0 }),
      later,
    );
    expect(replayedEvent(replay)?.tenantId).toBe('_platform');
    const purge = finishRecord(
      startRecord(startBody.parse({ action: 'purge', dlqName: 'd' }), actor, 'b', now),
      finishBody.parse({ moved: 5, skipped: 0, failed: 0, backupFile: '/tmp/d.jsonl' }),
      later,
    );
    expect(replayedEvent(purge)).toBeUndefined();
    expect(purge.backupFile).toBe('/tmp/d.jsonl');
  });

  it('keeps at most the first MAX_RECORDED_IDS ids and says so', () => {
    const ids = Array.from({ length: MAX_RECORDED_IDS + 5 }, (_, i) => `m-${i}`);
    const record = finishRecord(
      startRecord(startBody.parse({ action: 'purge', dlqName: 'd' }), actor, 'c', now),
      finishBody.parse({ moved: ids.length, skipped: 0, failed: 0, messageIds: ids }),
      later,
    );
    expect(record.messageIds).toHaveLength(MAX_RECORDED_IDS);
    expect(record.messageIdsTruncated).toBe(true);
    expect(record.moved).toBe(ids.length);
  });
});
