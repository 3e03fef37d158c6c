// Resend, recover and test over fake stores and a fake queue: one attempt per message with its
// trigger, nothing queued for a disabled endpoint (409) or a missing message (404).
import type { AttemptRequest } from '../../../src/adapters/dispatch';
import type { TestEventDeps } from '../../../src/app/manual-attempts';
import { recoverMessages, resendMessage, sendTestEvent } from '../../../src/app/manual-attempts';
import type { Subscription, WebhookMessage } from '../../../src/domain/model';
import { MAX_RECOVER_PER_REQUEST, TEST_EVENT_TYPE } from '../../../src/domain/subscriptions';
import { message, subscription, t0 } from '../fixtures';

const caller = { tenantId: 't1', actorId: 'key:k1' };

/** `found: null`: the event was not for this subscription. */
function deps({
  stored = subscription(),
  found = message(),
}: { stored?: Subscription; found?: WebhookMessage | null } = {}) {
  const queued: AttemptRequest[] = [];
  const store = {
    getSubscription: jest.fn(async () => stored),
    getMessage: jest.fn(async () => found ?? undefined),
    listRecoverableMessages: jest.fn(async () => ({
      messages: [message({ eventId: 'e1' }), message({ eventId: 'e2' })],
      nextCursor: 'next',
    })),
  };
  const messages = { createEventAndMessage: jest.fn(async () => undefined) };
  const all: TestEventDeps = {
    store,
    messages,
    requestAttempts: async (requests) => {
      queued.push(...requests);
    },
    now: () => t0,
    retentionSeconds: 3600,
    randomBytes: (size) => new Uint8Array(size).fill(1),
  };
  return { deps: all, store, messages, queued };
}

describe('resendMessage', () => {
  it('queues one resend of the message and returns it', async () => {
    const h = deps();
    await expect(resendMessage(caller, 'sub_1', 'e1', h.deps)).resolves.toMatchObject({ webhookId: 'msg_1' });
    expect(h.store.getMessage).toHaveBeenCalledWith('t1', 'e1', 'sub_1');
    expect(h.queued).toEqual([{ tenantId: 't1', subscriptionId: 'sub_1', eventId: 'e1', trigger: 'resend' }]);
  });

  it('queues nothing for a disabled endpoint (409) or an event that was not for it (404)', async () => {
    const disabled = deps({ stored: subscription({ enabled: false }) });
    await expect(resendMessage(caller, 'sub_1', 'e1', disabled.deps)).rejects.toMatchObject({
      status: 409,
      code: 'endpoint_disabled',
    });
    const missing = deps({ found: null });
    await expect(resendMessage(caller, 'sub_1', 'e9', missing.deps)).rejects.toMatchObject({ status: 404 });
    expect([...disabled.queued, ...missing.queued]).toEqual([]);
  });
});

describe('recoverMessages', () => {
  it('queues a recover attempt per listed message and says where to continue', async () => {
    const h = deps();
    const summary = await recoverMessages(
      caller,
      'sub_1',
      { since: '2026-03-01T00:00:00Z', cursor: 'c' },
      h.deps,
    );
    expect(summary).toEqual({ requested: 2, nextCursor: 'next' });
    expect(h.store.listRecoverableMessages).toHaveBeenCalledWith(
      't1',
      'sub_1',
      '2026-03-01T00:00:00Z',
      MAX_RECOVER_PER_REQUEST,
      'c',
    );
    expect(h.queued.map((r) => [r.eventId, r.trigger])).toEqual([
      ['e1', 'recover'],
      ['e2', 'recover'],
    ]);
  });

  it('refuses a since in the future with a 400 before reading anything', async () => {
    const h = deps();
    await expect(
      recoverMessages(caller, 'sub_1', { since: '2026-03-02T00:00:00Z' }, h.deps),
    ).rejects.toMatchObject({ status: 400, details: [{ path: 'since' }] });
    expect(h.store.getSubscription).not.toHaveBeenCalled();
  });
});

describe('sendTestEvent', () => {
  it('stores a test event with its one message for the retention period, and queues one test attempt', async () => {
    const h = deps();
    const sent = await sendTestEvent(caller, 'sub_1', h.deps);
    const [event, stored, expiresAtEpoch] = h.messages.createEventAndMessage.mock.calls[0] as unknown as [
      { eventId: string; eventType: string },
      WebhookMessage,
      number,
    ];
    expect(event.eventType).toBe(TEST_EVENT_TYPE);
    expect(stored).toEqual(sent);
    expect(sent).toMatchObject({ subscriptionId: 'sub_1', eventId: event.eventId, status: 'pending' });
    expect(expiresAtEpoch).toBe(t0.getTime() / 1000 + 3600);
    expect(h.queued).toEqual([
      { tenantId: 't1', subscriptionId: 'sub_1', eventId: event.eventId, trigger: 'test' },
    ]);
  });
});
