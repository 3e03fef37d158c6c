import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TenantCreated } from '@switchyard/contracts';
import { mockClient } from 'aws-sdk-client-mock';
import { resetAwsClients } from '../../src/aws-clients';
import { createOutboxPublisher, outboxItem, outboxPut } from '../../src/outbox';
import { MessageValidationError } from '../../src/publish';
import { streamEvent, streamRecord as record } from '../../src/testing';

const events = mockClient(EventBridgeClient);

const tenant = {
  tenantId: 'ten_01JABCDEFGHJKMNPQRSTVWXYZ0',
  name: 'Acme',
  adminUserId: 'usr_01JABCDEFGHJKMNPQRSTVWXYZ0',
  createdAt: '2026-11-22T10:00:00.000Z',
};

const sample = () => ({ ...tenant });

/** A stream record of `image` (keys: its pk/sk). */
const streamRecord = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', image: object, sequenceNumber: string) =>
  record(eventName, { newImage: image as Record<string, unknown>, sequenceNumber });

beforeEach(() => {
  events.reset();
  resetAwsClients();
  process.env.EVENT_BUS_NAME = 'switchyard-test-bus';
});

describe('outboxItem / outboxPut', () => {
  it('fills and validates the header now, so a bad event fails the transaction instead of the publisher', () => {
    const item = outboxItem(
      TenantCreated,
      { ...sample(), correlationId: 'corr-1' },
      Date.parse('2026-11-22T10:00:00Z'),
    );
    const message = JSON.parse(item.message);
    expect(item.pk).toBe(`OUTBOX#${message.id}`);
    expect(message).toMatchObject({ version: TenantCreated.version, correlationId: 'corr-1' });
    expect(item.expiresAtEpoch).toBe(Date.parse('2026-11-22T10:00:00Z') / 1000 + 86_400);
    expect(() => outboxItem(TenantCreated, { tenantId: 't' } as never)).toThrow(MessageValidationError);
  });

  it('writes with a condition, so a repeated transaction cannot overwrite an outbox item', () => {
    const put = outboxPut('identity-test', TenantCreated, sample());
    expect(put.Put?.TableName).toBe('identity-test');
    expect(put.Put?.ConditionExpression).toBe('attribute_not_exists(#pk)');
  });
});

describe('createOutboxPublisher', () => {
  const publisher = createOutboxPublisher({ maxAttempts: 1 });

  it('publishes each inserted outbox item with its original id and ignores every other change', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'x' }] });
    const item = outboxItem(TenantCreated, sample());
    const event = streamEvent(
      streamRecord('INSERT', item, '1'),
      streamRecord('INSERT', { pk: 'TENANT#t', sk: 'TENANT', name: 'not an event' }, '2'),
      streamRecord('REMOVE', item, '3'),
    );
    const result = await publisher(event);
    expect(result.batchItemFailures).toEqual([]);
    const calls = events.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(1);
    const entry = calls[0]?.args[0].input.Entries?.[0];
    expect(entry?.Source).toBe('switchyard.identity');
    expect(entry?.DetailType).toBe('TenantCreated');
    expect(entry?.EventBusName).toBe('switchyard-test-bus');
    expect(JSON.parse(entry?.Detail ?? '{}').id).toBe(JSON.parse(item.message).id);
  });

  it('fails the record (to be retried) when EventBridge does not take the entry', async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    const ok = outboxItem(TenantCreated, sample());
    const result = await createOutboxPublisher({ maxAttempts: 1 })(
      streamEvent(
        streamRecord('INSERT', { pk: 'TENANT#t', sk: 'TENANT' }, '1'),
        streamRecord('INSERT', ok, '2'),
      ),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
  });

  it('fails an outbox item naming a contract that does not exist rather than dropping it', async () => {
    const item = { ...outboxItem(TenantCreated, sample()), detailType: 'NoSuchThing' };
    const result = await publisher(
      streamEvent(streamRecord('INSERT', item, '9'), streamRecord('INSERT', { pk: 'a', sk: 'b' }, '10')),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '9' }]);
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
