// The delivery table's key layout, pinned: items already stored are found only while these strings
// stay exactly as they are (and the README's table layout section says the same).
import {
  attemptItem,
  attemptKey,
  BY_SUBSCRIPTION_INDEX,
  DUE_INDEX,
  dueShard,
  dueShards,
  eventItem,
  eventKey,
  eventPartitionItemKind,
  fromItem,
  ITEM_KINDS,
  messageItem,
  messageKey,
  messagesCreatedSince,
  rateKey,
  subscriptionItem,
  subscriptionKey,
} from '../../../src/adapters/delivery-table';
import type { DeliveryAttempt, StoredEvent } from '../../../src/domain/model';
import { message, subscription, t0 } from '../fixtures';

const event: StoredEvent = {
  tenantId: 't1',
  eventId: 'e1',
  eventType: 'order.created',
  receivedAt: t0.toISOString(),
  data: '{}',
};
const attempt: DeliveryAttempt = {
  tenantId: 't1',
  eventId: 'e1',
  subscriptionId: 'sub_1',
  webhookId: 'msg_1',
  attempt: 3,
  attemptedAt: t0.toISOString(),
  trigger: 'scheduled',
  statusCode: 500,
  latencyMs: 7,
  outcome: 'failed',
};

describe('the delivery table layout', () => {
  it('keys every item as the stored data does', () => {
    expect(subscriptionKey('t1', 'sub_1')).toEqual({ pk: 'TENANT#t1', sk: 'SUB#sub_1' });
    expect(eventKey('t1', 'e1')).toEqual({ pk: 'EVENT#t1#e1', sk: 'EVENT' });
    expect(messageKey('t1', 'e1', 'sub_1')).toEqual({ pk: 'EVENT#t1#e1', sk: 'MSG#sub_1' });
    expect(attemptKey('t1', 'e1', 'sub_1', 3)).toEqual({ pk: 'EVENT#t1#e1', sk: 'MSG#sub_1#ATT#00003' });
    expect(rateKey('sub_1', 1_772_366_400)).toEqual({ pk: 'RATE#sub_1', sk: '1772366400' });
    expect([BY_SUBSCRIPTION_INDEX, DUE_INDEX]).toEqual(['bySubscription', 'due']);
  });

  it('writes items with their keys, index keys, kind and expiry', () => {
    expect(subscriptionItem(subscription())).toEqual({
      ...subscription(),
      pk: 'TENANT#t1',
      sk: 'SUB#sub_1',
      kind: 'subscription',
    });
    expect(eventItem(event, 99)).toEqual({
      ...event,
      pk: 'EVENT#t1#e1',
      sk: 'EVENT',
      kind: 'event',
      expiresAtEpoch: 99,
    });
    expect(messageItem(message(), 99)).toEqual({
      ...message(),
      pk: 'EVENT#t1#e1',
      sk: 'MSG#sub_1',
      gsi1pk: 'SUB#sub_1',
      gsi1sk: `MSG#${t0.toISOString()}#e1`,
      kind: 'message',
      expiresAtEpoch: 99,
    });
    expect(attemptItem(attempt, 'r1', 99)).toEqual({
      ...attempt,
      pk: 'EVENT#t1#e1',
      sk: 'MSG#sub_1#ATT#00003',
      gsi1pk: 'SUB#sub_1',
      gsi1sk: `ATT#${t0.toISOString()}#e1#00003`,
      kind: 'attempt',
      requestId: 'r1',
      expiresAtEpoch: 99,
    });
    expect(ITEM_KINDS.cursorSecret).toBe('secret');
  });

  it("tells an event partition's items apart by sort key, and ranges messages by creation time", () => {
    expect(eventPartitionItemKind('EVENT')).toBe('event');
    expect(eventPartitionItemKind('MSG#sub_1')).toBe('message');
    expect(eventPartitionItemKind('MSG#sub_1#ATT#00001')).toBe('attempt');
    expect(eventPartitionItemKind('OUTBOX')).toBeUndefined();
    const range = messagesCreatedSince('2026-03-01T00:00:00.000Z');
    expect(range).toEqual({ from: 'MSG#2026-03-01T00:00:00.000Z', to: 'MSG#~' });
    const gsi1sk = messageItem(message(), 1).gsi1sk as string;
    expect(gsi1sk >= range.from && gsi1sk <= range.to).toBe(true);
  });

  it('spreads due entries over ten shards, the same for one webhook id', () => {
    expect(dueShard('msg_1')).toBe(dueShard('msg_1'));
    const shards = new Set(Array.from({ length: 200 }, (_, i) => dueShard(`msg_${i}`)));
    expect([...shards].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `DUE#${i}`));
    expect(dueShards()).toEqual([...shards].sort());
  });

  it('reads items back without keys, index keys, kind, expiry or claim, keeping a long wait', () => {
    const stored = {
      ...messageItem(message({ dueAt: t0.toISOString() }), 99),
      duePk: 'DUE#3',
      claimedBy: 'r1',
      claimedUntil: 1,
    };
    expect(fromItem(stored)).toEqual(message({ dueAt: t0.toISOString() }));
  });
});
