// Records the engine's and the API's unit tests share: one subscription, one message, the engine's
// settings with short waits, all at one fixed time.
import type { DeliveryRequested } from '@switchyard/contracts';
import type { EngineRuntime } from '../../src/config';
import { endpointPolicy } from '../../src/domain/address-safety';
import type { MessageState } from '../../src/domain/engine';
import type { Subscription } from '../../src/domain/model';

export const t0 = new Date('2026-03-01T12:00:00.000Z');

export const testRuntime: EngineRuntime = {
  settings: { schedule: [0, 5, 300], jitter: 0, maxQueueDelaySeconds: 900, disableAfterSeconds: 3600 },
  policy: endpointPolicy('local', ''),
  sendTimeoutMs: 15_000,
  defaultRateLimit: 100,
  retentionSeconds: 86_400,
  claimLeaseMs: 60_000,
  lane: 'default',
  slow: { slowLatencyMs: 5_000, slowLaneSeconds: 600 },
};

/** Tenant `t1`'s enabled subscription `sub_1` to `order.*`. */
export const subscription = (over: Partial<Subscription> = {}): Subscription => ({
  subscriptionId: 'sub_1',
  tenantId: 't1',
  url: 'http://127.0.0.1:9/hooks',
  eventTypes: ['order.*'],
  enabled: true,
  secrets: [{ secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: t0.toISOString() }],
  createdAt: t0.toISOString(),
  updatedAt: t0.toISOString(),
  ...over,
});

/** The message of event `e1` to `sub_1`, before its first attempt. */
export const message = (over: Partial<MessageState> = {}): MessageState => ({
  tenantId: 't1',
  eventId: 'e1',
  subscriptionId: 'sub_1',
  webhookId: 'msg_1',
  eventType: 'order.created',
  status: 'pending',
  attempts: 0,
  scheduledAttempts: 0,
  createdAt: t0.toISOString(),
  updatedAt: t0.toISOString(),
  ...over,
});

/** The first scheduled DeliveryRequested of that message. */
export const deliveryRequested = (over: Partial<DeliveryRequested> = {}): DeliveryRequested => ({
  version: 1,
  id: 'msg_1.a1',
  time: t0.toISOString(),
  tenantId: 't1',
  correlationId: 'c1',
  subscriptionId: 'sub_1',
  eventId: 'e1',
  attempt: 1,
  notBefore: t0.toISOString(),
  trigger: 'scheduled',
  ...over,
});
