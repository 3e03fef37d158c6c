import type { EventItem } from '../../../src/adapters/event-store';
import { toEventItem } from '../../../src/adapters/event-store';
import { publishAcknowledgement, publishEventItem } from '../../../src/handlers/publish-event-received';
import { usageIncrements } from '../../../src/handlers/count-usage';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { NOW, TENANT } from '../domain/fixtures';

function item(payload: Record<string, unknown>, eventId = '01JX0000000000000000000000'): EventItem {
  return toEventItem(
    {
      format: 'native',
      eventType: 'order.placed',
      payload,
      source: 'api',
      attributes: {},
      tenantId: TENANT,
      eventId,
      receivedAt: NOW.toISOString(),
      apiKeyId: 'key1',
    },
    'corr-9',
  );
}

function deps() {
  const put = jest.fn(async () => undefined);
  const publish = jest.fn(async (_contract: unknown, message: { id: string }) => ({
    sent: [message.id],
    failed: [],
  }));
  return { put, publish, deps: { payloads: { put }, bucket: 'payloads', publish: publish as never } };
}

describe('outbox publisher', () => {
  it('publishes EventReceived with the payload inline, the event id as message id', async () => {
    const { put, publish, deps: d } = deps();
    await expect(publishEventItem(item({ a: 1 }), d)).resolves.toBe('inline');
    expect(put).not.toHaveBeenCalled();
    expect(publish.mock.calls[0]![1]).toMatchObject({
      id: '01JX0000000000000000000000',
      tenantId: TENANT,
      correlationId: 'corr-9',
      eventId: '01JX0000000000000000000000',
      eventType: 'order.placed',
      apiKeyId: 'key1',
      payload: { a: 1 },
    });
  });

  it('puts a payload too large for one entry in S3 first, then publishes payloadRef', async () => {
    const { put, publish, deps: d } = deps();
    const payload = { blob: 'x'.repeat(255 * 1024) };
    await expect(publishEventItem(item(payload), d)).resolves.toBe('reference');
    expect(put).toHaveBeenCalledTimes(1);
    const message = publish.mock.calls[0]![1] as unknown as Record<string, unknown>;
    expect(message).not.toHaveProperty('payload');
    expect(message.payloadRef).toMatchObject({ bucket: 'payloads', size: JSON.stringify(payload).length });
    expect(put.mock.invocationCallOrder[0]!).toBeLessThan(publish.mock.invocationCallOrder[0]!);
  });

  it('fails the record when EventBridge did not take the entry', async () => {
    const { deps: d } = deps();
    const failing = {
      ...d,
      publish: (async () => ({
        sent: [],
        failed: [{ id: 'x', errorCode: 'InternalFailure', errorMessage: 'boom' }],
      })) as never,
    };
    await expect(publishEventItem(item({ a: 1 }), failing)).rejects.toThrow(/not published: InternalFailure/);
  });
});

describe('usage counting', () => {
  it('counts new event items per tenant in one increment per batch, ignoring other changes', () => {
    const record = (eventName: 'INSERT' | 'MODIFY', image: Record<string, unknown>) => ({
      eventName,
      dynamodb: { NewImage: marshall(image, { removeUndefinedValues: true }) as never },
    });
    const event = {
      Records: [
        record('INSERT', item({}, 'E1') as never),
        record('INSERT', item({}, 'E2') as never),
        record('INSERT', { ...item({}, 'E3'), tenantId: 'other' } as never),
        record('MODIFY', item({}, 'E1') as never),
        record('INSERT', { pk: `TENANT#${TENANT}`, sk: 'IDEM#abc', kind: 'idempotency' }),
      ],
    } as unknown as DynamoDBStreamEvent;
    expect(usageIncrements(event).map(({ tenantId, count }) => ({ tenantId, count }))).toEqual([
      { tenantId: TENANT, count: 2 },
      { tenantId: 'other', count: 1 },
    ]);
  });
});

describe('publishAcknowledgement', () => {
  it('publishes EventAcknowledged with an id derived from the event, so a retried batch repeats it', async () => {
    const publish = jest.fn(async (_contract: unknown, message: { id: string }) => ({
      sent: [message.id],
      failed: [],
    }));
    const ack = { tenantId: TENANT, eventId: 'evt_1', acknowledgedAt: NOW.toISOString(), apiKeyId: 'key1' };
    await publishAcknowledgement(ack, 'corr-1', { publish: publish as never });
    await publishAcknowledgement(ack, 'corr-1', { publish: publish as never });
    const [contract, message] = publish.mock.calls[0] as unknown as [
      { detailType: string },
      Record<string, unknown>,
    ];
    expect(contract.detailType).toBe('EventAcknowledged');
    expect(message).toMatchObject({ id: 'evt_1.ack', eventId: 'evt_1', apiKeyId: 'key1', tenantId: TENANT });
    expect((publish.mock.calls[1] as unknown as [unknown, { id: string }])[1].id).toBe('evt_1.ack');
  });

  it('fails the record when the bus does not take the event', async () => {
    const publish = jest.fn(async () => ({
      sent: [],
      failed: [{ id: 'x', errorCode: 'InternalFailure', errorMessage: 'no' }],
    }));
    const ack = { tenantId: TENANT, eventId: 'evt_2', acknowledgedAt: NOW.toISOString() };
    await expect(publishAcknowledgement(ack, 'c', { publish: publish as never })).rejects.toThrow(
      /InternalFailure/,
    );
  });
});
