import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { defineContract } from '@switchyard/contracts';
import { mockClient } from 'aws-sdk-client-mock';
import { z } from 'zod';
import { resetAwsClients } from '../../src/aws-clients';
import {
  CONSUMER_FAILURE_TTL_SECONDS,
  MAX_REASON_LENGTH,
  consumerFailureKey,
  consumerFailureUpdate,
} from '../../src/consumer-failures';
import { createSqsConsumer } from '../../src/consumers';
import { logger } from '../../src/logger';
import { sqsEvent, sqsRecord, stringAttribute } from '../../src/testing';

const ThingHappened = defineContract({
  service: 'billing',
  detailType: 'ThingHappened',
  version: 1,
  description: 'A thing happened (test contract).',
  body: { thingId: z.string().min(1) },
});

const dynamo = mockClient(DynamoDBDocumentClient);
const saved = { ...process.env };

/** A raw queue message from sendToQueue, delivered for the third time. */
const record = (messageId: string, body: unknown) =>
  sqsRecord(body, {
    messageId,
    attributes: { ApproximateReceiveCount: '3' },
    messageAttributes: {
      source: stringAttribute('switchyard.billing'),
      detailType: stringAttribute('ThingHappened'),
    },
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:things',
  });

const thing = (id: string) => ({
  version: 1,
  id,
  time: '2025-01-02T03:04:05.000Z',
  tenantId: 'ten_1',
  correlationId: `corr-${id}`,
  thingId: `t-${id}`,
});

class ResourceNotFoundException extends Error {
  override name = 'ResourceNotFoundException';
}

beforeEach(() => {
  dynamo.reset();
  resetAwsClients();
  jest.spyOn(logger, 'error').mockImplementation(() => undefined);
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AWS_LAMBDA_FUNCTION_NAME = 'things-local-consume';
});
afterEach(() => {
  jest.restoreAllMocks();
  process.env = { ...saved };
});

describe('consumerFailureUpdate', () => {
  it('keeps the last reason, counts failures, keeps the first time and expires after the DLQ retention', () => {
    const now = Date.parse('2025-03-01T10:00:00.000Z');
    const update = consumerFailureUpdate(
      'things-table',
      { messageId: 'm-1', kind: 'handler_error', reason: 'boom', detailType: 'ThingHappened' },
      now,
    );
    expect(update.Key).toEqual(consumerFailureKey('m-1'));
    expect(update.UpdateExpression).toMatch(/^SET #firstFailedAt = if_not_exists\(#firstFailedAt, :at\), /);
    expect(update.UpdateExpression).toMatch(/ ADD #failures :one$/);
    const values = Object.fromEntries(
      Object.entries(update.ExpressionAttributeNames!)
        .filter(([alias]) => alias.startsWith('#f') && alias !== '#failures' && alias !== '#firstFailedAt')
        .map(([alias, name]) => [name, update.ExpressionAttributeValues![`:${alias.slice(1)}`]]),
    );
    expect(values).toEqual({
      messageId: 'm-1',
      kind: 'handler_error',
      reason: 'boom',
      detailType: 'ThingHappened',
      lastFailedAt: '2025-03-01T10:00:00.000Z',
      expiresAtEpoch: now / 1000 + CONSUMER_FAILURE_TTL_SECONDS,
    });
  });

  it('cuts long reasons', () => {
    const update = consumerFailureUpdate('t', { messageId: 'm', kind: 'poison', reason: 'x'.repeat(5000) });
    const reason = Object.values(update.ExpressionAttributeValues!).find(
      (v) => typeof v === 'string' && v.startsWith('xxx'),
    ) as string;
    expect(reason).toHaveLength(MAX_REASON_LENGTH);
    expect(reason.endsWith('…')).toBe(true);
  });
});

describe('createSqsConsumer with CONSUMER_FAILURES_TABLE', () => {
  const consumer = () =>
    createSqsConsumer({
      contract: ThingHappened,
      handleMessage: async (message) => {
        if (message.thingId === 't-bad') throw new ResourceNotFoundException('Requested resource not found');
      },
    });

  it('records a handler error with the header id, tenant, function and receive count', async () => {
    process.env.CONSUMER_FAILURES_TABLE = 'things-table';
    dynamo.on(UpdateCommand).resolves({});
    const response = await consumer()(sqsEvent(record('ok-1', thing('ok')), record('m-bad', thing('bad'))));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-bad' }]);
    const calls = dynamo.commandCalls(UpdateCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.TableName).toBe('things-table');
    expect(input.Key).toEqual(consumerFailureKey('m-bad'));
    const stored = Object.values(input.ExpressionAttributeValues!);
    expect(stored).toEqual(
      expect.arrayContaining([
        'ResourceNotFoundException: Requested resource not found',
        'handler_error',
        'ThingHappened',
        'bad',
        'ten_1',
        'things-local-consume',
        'arn:aws:sqs:eu-west-1:123456789012:things',
        3,
      ]),
    );
  });

  it('records a poison message too', async () => {
    process.env.CONSUMER_FAILURES_TABLE = 'things-table';
    dynamo.on(UpdateCommand).resolves({});
    await consumer()(sqsEvent(record('m-poison', { ...thing('p'), thingId: '' }))).catch(() => undefined);
    const input = dynamo.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.Key).toEqual(consumerFailureKey('m-poison'));
    expect(Object.values(input.ExpressionAttributeValues!)).toContain('poison');
  });

  it('records nothing without the variable', async () => {
    await consumer()(sqsEvent(record('ok-2', thing('ok')), record('m-bad2', thing('bad'))));
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('still fails the record (and only warns) when recording fails', async () => {
    process.env.CONSUMER_FAILURES_TABLE = 'things-table';
    dynamo.on(UpdateCommand).rejects(new Error('table is gone'));
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const response = await consumer()(sqsEvent(record('ok-3', thing('ok')), record('m-bad3', thing('bad'))));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-bad3' }]);
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ message: 'consumer_failure_not_recorded', messageId: 'm-bad3' }),
    );
  });
});
