import { createHash } from 'node:crypto';
import { EventReceived, eventBridgeEntrySize } from '@switchyard/contracts';
import {
  ENTRY_HEADROOM_BYTES,
  EVENTBRIDGE_MAX_ENTRY_BYTES,
  INLINE_ENTRY_LIMIT_BYTES,
  payloadObjectKey,
  planEventReceived,
  verifyClaimedPayload,
} from '../../../src/domain/claim-check';
import type { EventReceivedEnvelope } from '../../../src/domain/claim-check';
import { MAX_PAYLOAD_BYTES } from '../../../src/domain/events';
import { NOW, TENANT, header } from './fixtures';

const envelope: EventReceivedEnvelope = {
  ...header('msg-1', NOW.toISOString()),
  eventId: 'evt_01J0000000000000000000000',
  eventType: 'order.placed',
  source: 'api',
  receivedAt: NOW.toISOString(),
  idempotencyKey: 'k-1',
  apiKeyId: 'abcdefghjkmnpqrstvwx',
};
const bucket = 'switchyard-dev-payloads';

function sizeOf(message: EventReceived) {
  return eventBridgeEntrySize({
    Time: message.time,
    Source: 'switchyard.ingest',
    DetailType: 'EventReceived',
    Detail: JSON.stringify(message),
  });
}

describe('the inline limit', () => {
  it('keeps headroom below the 256 KB limit', () => {
    expect(INLINE_ENTRY_LIMIT_BYTES).toBe(EVENTBRIDGE_MAX_ENTRY_BYTES - ENTRY_HEADROOM_BYTES);
    expect(ENTRY_HEADROOM_BYTES).toBeGreaterThan(0);
  });
});

describe('planEventReceived', () => {
  it('sends a small payload inline, as a message the contract accepts', () => {
    const plan = planEventReceived(envelope, { orderId: 42 }, { bucket });
    expect(plan.mode).toBe('inline');
    expect(EventReceived.schema.parse(plan.message)).toMatchObject({ payload: { orderId: 42 } });
    expect(plan.entrySize).toBe(sizeOf(plan.message));
  });

  it('switches to a reference exactly when the inline entry would pass the limit', () => {
    // Find the largest payload that still fits, by measuring: the boundary is exact, not approximate.
    const base = sizeOf({ ...envelope, payload: { x: '' } } as EventReceived);
    const fits = { x: 'a'.repeat(INLINE_ENTRY_LIMIT_BYTES - base) };
    const over = { x: 'a'.repeat(INLINE_ENTRY_LIMIT_BYTES - base + 1) };
    expect(planEventReceived(envelope, fits, { bucket }).mode).toBe('inline');
    expect(planEventReceived(envelope, fits, { bucket }).entrySize).toBe(INLINE_ENTRY_LIMIT_BYTES);
    expect(planEventReceived(envelope, over, { bucket }).mode).toBe('reference');
  });

  it('counts multi-byte characters as EventBridge does (UTF-8 bytes, not characters)', () => {
    const base = sizeOf({ ...envelope, payload: { x: '' } } as EventReceived);
    const chars = Math.floor((INLINE_ENTRY_LIMIT_BYTES - base) / 2) + 1; // 'é' is 2 bytes
    expect(planEventReceived(envelope, { x: 'é'.repeat(chars) }, { bucket }).mode).toBe('reference');
    expect(planEventReceived(envelope, { x: 'é'.repeat(chars - 1) }, { bucket }).mode).toBe('inline');
  });

  it('stores the largest allowed payload in S3 under a tenant-scoped key, with its size and SHA-256', () => {
    const payload = { x: 'z'.repeat(MAX_PAYLOAD_BYTES - 8) };
    const plan = planEventReceived(envelope, payload, { bucket });
    if (plan.mode !== 'reference') throw new Error('expected a reference');
    const bytes = Buffer.from(JSON.stringify(payload));
    expect(plan.object).toEqual({
      bucket,
      key: `tenants/${TENANT}/payloads/2025/06/01/${envelope.eventId}.json`,
      body: bytes,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      contentType: 'application/json',
    });
    const message = EventReceived.schema.parse(plan.message);
    expect(message.payload).toBeUndefined();
    expect(message.payloadRef).toEqual({
      bucket,
      key: plan.object.key,
      size: bytes.length,
      sha256: plan.object.sha256,
    });
    expect(plan.entrySize).toBeLessThan(2048);
  });

  it('is deterministic, so a retried publish writes the same object', () => {
    const payload = { x: 'q'.repeat(MAX_PAYLOAD_BYTES - 8) };
    const a = planEventReceived(envelope, payload, { bucket });
    const b = planEventReceived(envelope, payload, { bucket });
    expect(a).toEqual(b);
  });
});

describe('payloadObjectKey', () => {
  it('cannot be steered out of the tenant prefix by an identifier', () => {
    const key = payloadObjectKey('../evil', 'a/b', NOW.toISOString());
    expect(key).toBe('tenants/..%2Fevil/payloads/2025/06/01/a%2Fb.json');
    expect(() => payloadObjectKey('..', 'e', NOW.toISOString())).toThrow(RangeError);
    expect(() => payloadObjectKey(TENANT, 'e', 'not a date')).toThrow(RangeError);
  });
});

describe('verifyClaimedPayload', () => {
  const bytes = Buffer.from(JSON.stringify({ a: 1 }));
  const ref = { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };

  it('returns the payload when size and digest match, and refuses otherwise', () => {
    expect(verifyClaimedPayload(ref, bytes)).toEqual({ ok: true, payload: { a: 1 } });
    expect(verifyClaimedPayload(ref, Buffer.from(JSON.stringify({ a: 2 })))).toEqual({
      ok: false,
      reason: 'digest',
    });
    expect(verifyClaimedPayload(ref, Buffer.from('{}'))).toEqual({ ok: false, reason: 'size' });
  });
});
