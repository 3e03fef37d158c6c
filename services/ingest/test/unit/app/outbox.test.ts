import type { EventItem } from '../../../src/adapters/event-store';
import { publishChanges } from '../../../src/app/outbox';
import { MessageValidationError } from '@switchyard/runtime';
import type { StreamChange } from '@switchyard/runtime';
import { NOW, storedEventItem as item, TENANT } from '../domain/fixtures';

const inserted = (event: EventItem, sequenceNumber: string): StreamChange => ({
  eventName: 'INSERT',
  keys: { pk: event.pk, sk: event.sk },
  newImage: event as unknown as Record<string, unknown>,
  sequenceNumber,
});

const acknowledged = (event: EventItem, sequenceNumber: string): StreamChange => ({
  eventName: 'MODIFY',
  keys: { pk: event.pk, sk: event.sk },
  oldImage: event as unknown as Record<string, unknown>,
  newImage: { ...event, acknowledgedAt: NOW.toISOString(), acknowledgedBy: 'key2' } as never,
  sequenceNumber,
});

type Sent = { id: string } & Record<string, unknown>;

/** A publish that takes everything except the message ids in `reject`. */
function deps(reject: string[] = []) {
  const put = jest.fn(async () => undefined);
  const publish = jest.fn(async (_contract: { detailType: string }, messages: Sent | Sent[]) => {
    const list = Array.isArray(messages) ? messages : [messages];
    return {
      sent: list.filter((m) => !reject.includes(m.id)).map((m) => m.id),
      failed: list
        .filter((m) => reject.includes(m.id))
        .map((m) => ({ id: m.id, errorCode: 'InternalFailure', errorMessage: 'boom' })),
    };
  });
  return { put, publish, deps: { payloads: { put }, bucket: 'payloads', publish: publish as never } };
}

describe('outbox publisher', () => {
  it('publishes the EventReceived of a whole batch in one call, the event id as message id', async () => {
    const { put, publish, deps: d } = deps();
    const changes = ['E1', 'E2', 'E3'].map((id, i) => inserted(item({ n: i }, id), String(i + 1)));
    await expect(publishChanges(changes, d)).resolves.toEqual([]);
    expect(put).not.toHaveBeenCalled();
    expect(publish).toHaveBeenCalledTimes(1);
    const [contract, messages] = publish.mock.calls[0]! as unknown as [{ detailType: string }, Sent[]];
    expect(contract.detailType).toBe('EventReceived');
    expect(messages.map((m) => m.id)).toEqual(['E1', 'E2', 'E3']);
    expect(messages[0]).toMatchObject({
      id: 'E1',
      tenantId: TENANT,
      correlationId: 'corr-9',
      eventId: 'E1',
      eventType: 'order.placed',
      apiKeyId: 'key1',
      payload: { n: 0 },
    });
  });

  it('puts a payload too large for one entry in S3 first, then publishes payloadRef', async () => {
    const { put, publish, deps: d } = deps();
    const payload = { blob: 'x'.repeat(255 * 1024) };
    await expect(publishChanges([inserted(item(payload), '1')], d)).resolves.toEqual([]);
    expect(put).toHaveBeenCalledTimes(1);
    const [message] = (publish.mock.calls[0]! as unknown as [unknown, Sent[]])[1];
    expect(message).not.toHaveProperty('payload');
    expect(message!.payloadRef).toMatchObject({ bucket: 'payloads', size: JSON.stringify(payload).length });
    expect(put.mock.invocationCallOrder[0]!).toBeLessThan(publish.mock.invocationCallOrder[0]!);
  });

  it('fails exactly the records whose entries EventBridge did not take, or whose payload S3 refused', async () => {
    const { put, deps: d } = deps(['E2']);
    put.mockRejectedValueOnce(new Error('SlowDown'));
    const changes = [
      inserted(item({ a: 1 }, 'E1'), '1'),
      inserted(item({ a: 2 }, 'E2'), '2'),
      inserted(item({ blob: 'x'.repeat(255 * 1024) }, 'E3'), '3'),
      inserted(item({ a: 4 }, 'E4'), '4'),
    ];
    const failures = await publishChanges(changes, d);
    expect(failures.map((f) => f.sequenceNumber).sort()).toEqual(['2', '3']);
    expect(failures.find((f) => f.sequenceNumber === '2')).toMatchObject({
      correlationId: 'corr-9',
      reason: expect.stringMatching(/EventReceived E2 not published: InternalFailure/),
    });
    expect(failures.find((f) => f.sequenceNumber === '3')?.reason).toBe('SlowDown');
  });

  it('publishes the others one by one when one message does not validate, failing only that record', async () => {
    const { publish, deps: d } = deps();
    publish.mockImplementation(async (_contract, messages) => {
      const list = Array.isArray(messages) ? messages : [messages];
      if (list.some((m) => m.id === 'BAD')) throw new MessageValidationError('EventReceived', 0, []);
      return { sent: list.map((m) => m.id), failed: [] };
    });
    const changes = [
      inserted(item({}, 'E1'), '1'),
      inserted(item({}, 'BAD'), '2'),
      inserted(item({}, 'E3'), '3'),
    ];
    const failures = await publishChanges(changes, d);
    expect(failures.map((f) => f.sequenceNumber)).toEqual(['2']);
    const sent = publish.mock.calls.flatMap((call) => (call[1] as Sent[]).map((m) => m.id));
    expect(sent).toEqual(['E1', 'BAD', 'E3', 'E1', 'BAD', 'E3']);
  });

  it('ignores dedup records, leases and removals', async () => {
    const { publish, deps: d } = deps();
    const event = item({});
    const changes: StreamChange[] = [
      {
        eventName: 'INSERT',
        keys: {},
        newImage: { pk: `TENANT#${TENANT}`, sk: 'IDEM#x', kind: 'idempotency' },
        sequenceNumber: '1',
      },
      {
        eventName: 'MODIFY',
        keys: {},
        oldImage: event as never,
        newImage: { ...event, leaseUntil: 5 } as never,
        sequenceNumber: '2',
      },
      { eventName: 'REMOVE', keys: {}, oldImage: event as never, sequenceNumber: '3' },
    ];
    await expect(publishChanges(changes, d)).resolves.toEqual([]);
    expect(publish).not.toHaveBeenCalled();
  });
});

describe('EventAcknowledged from the stream', () => {
  it('publishes EventAcknowledged with an id derived from the event, so a retried batch repeats it', async () => {
    const { publish, deps: d } = deps();
    const event = item({}, 'evt_1');
    await publishChanges([acknowledged(event, '7')], d);
    await publishChanges([acknowledged(event, '7')], d);
    const [contract, [message]] = publish.mock.calls[0] as unknown as [{ detailType: string }, Sent[]];
    expect(contract.detailType).toBe('EventAcknowledged');
    expect(message).toMatchObject({ id: 'evt_1.ack', eventId: 'evt_1', apiKeyId: 'key2', tenantId: TENANT });
    expect((publish.mock.calls[1] as unknown as [unknown, Sent[]])[1][0]!.id).toBe('evt_1.ack');
  });

  it('publishes EventReceived before EventAcknowledged and fails the ack record when the bus refuses it', async () => {
    const { publish, deps: d } = deps(['evt_2.ack']);
    const event = item({}, 'evt_2');
    const failures = await publishChanges([inserted(event, '1'), acknowledged(event, '2')], d);
    expect(publish.mock.calls.map((call) => (call[0] as { detailType: string }).detailType)).toEqual([
      'EventReceived',
      'EventAcknowledged',
    ]);
    expect(failures).toEqual([
      expect.objectContaining({ sequenceNumber: '2', reason: expect.stringMatching(/InternalFailure/) }),
    ]);
  });
});
