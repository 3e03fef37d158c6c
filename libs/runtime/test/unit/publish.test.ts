import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { defineContract } from '@switchyard/contracts';
import { mockClient } from 'aws-sdk-client-mock';
import { z } from 'zod';
import { logger } from '../../src/logger';
import { runWithCorrelationId } from '../../src/correlation';
import { MessageValidationError, publish, sendToQueue } from '../../src/publish';

const WidgetCreated = defineContract({
  service: 'ingest',
  detailType: 'WidgetCreated',
  version: 2,
  description: 'A widget was created (test contract).',
  body: { widgetId: z.string().min(1), size: z.number().int(), note: z.string().optional() },
});

const WidgetQueued = defineContract({
  service: 'delivery',
  detailType: 'WidgetQueued',
  version: 1,
  channel: 'queue',
  description: 'A widget waits for delivery (test contract).',
  body: { widgetId: z.string().min(1) },
});

const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
const fast = { baseDelayMs: 0 };

const widgets = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ tenantId: 'tenant-1', widgetId: `w${i}`, size: i }));

const entriesOf = (call: number): PutEventsRequestEntry[] =>
  eventBridge.commandCalls(PutEventsCommand)[call]!.args[0].input.Entries ?? [];
const detailOf = (entry: PutEventsRequestEntry) => JSON.parse(entry.Detail ?? 'null');
const allOk = (input: { Entries?: unknown[] }) => ({
  FailedEntryCount: 0,
  Entries: (input.Entries ?? []).map((_, i) => ({ EventId: `e${i}` })),
});

beforeEach(() => {
  eventBridge.reset();
  sqs.reset();
  process.env.EVENT_BUS_NAME = 'switchyard-test-bus';
  jest.spyOn(logger, 'error').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('publish', () => {
  it('sends 23 events as PutEvents batches of 10, 10 and 3', async () => {
    eventBridge.on(PutEventsCommand).callsFake(allOk);

    const result = await publish(WidgetCreated, widgets(23), fast);

    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(result.failed).toEqual([]);
    expect(result.sent).toHaveLength(23);
    expect(new Set(result.sent).size).toBe(23);
    const sentInOrder = [0, 1, 2].flatMap((c) => entriesOf(c).map((e) => detailOf(e).id));
    expect(sentInOrder).toEqual(result.sent);
  });

  it('fills the header and builds each entry from the contract', async () => {
    eventBridge.on(PutEventsCommand).callsFake(allOk);

    const result = await publish(
      WidgetCreated,
      { tenantId: 'tenant-9', widgetId: 'w-1', size: 3 },
      { correlationId: 'corr-123' },
    );

    const [entry] = entriesOf(0);
    expect(entry).toMatchObject({
      Source: 'switchyard.ingest',
      DetailType: 'WidgetCreated',
      EventBusName: 'switchyard-test-bus',
    });
    const detail = detailOf(entry!);
    expect(detail).toEqual({
      version: 2,
      id: result.sent[0],
      time: expect.any(String),
      tenantId: 'tenant-9',
      correlationId: 'corr-123',
      widgetId: 'w-1',
      size: 3,
    });
    expect(new Date(detail.time).getTime()).not.toBeNaN();
    expect(entry!.Time?.toISOString()).toBe(detail.time);
  });

  it('takes the correlation id of the record or invocation in progress, and keeps an explicit one', async () => {
    eventBridge.on(PutEventsCommand).callsFake(allOk);

    await runWithCorrelationId('from-scope', () =>
      publish(WidgetCreated, [
        { tenantId: 't', widgetId: 'a', size: 1 },
        { tenantId: 't', widgetId: 'b', size: 1, correlationId: 'explicit' },
      ]),
    );
    await publish(WidgetCreated, { tenantId: 't', widgetId: 'c', size: 1 });

    expect(entriesOf(0).map((e) => detailOf(e).correlationId)).toEqual(['from-scope', 'explicit']);
    // Outside any scope a fresh id starts a new chain.
    expect(detailOf(entriesOf(1)[0]!).correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('retries only the entries EventBridge failed', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: 'e0' },
          { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' },
          { EventId: 'e2' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' },
        ],
      })
      .callsFake(allOk);

    const result = await publish(WidgetCreated, widgets(4), fast);

    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    const firstIds = entriesOf(0).map((e) => detailOf(e).id);
    expect(entriesOf(1).map((e) => detailOf(e).id)).toEqual([firstIds[1], firstIds[3]]);
    expect(result.failed).toEqual([]);
    expect([...result.sent].sort()).toEqual([...firstIds].sort());
  });

  it('reports an entry that keeps failing after maxAttempts instead of pretending', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((e) =>
        detailOf(e).widgetId === 'w1'
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'still broken' }
          : { EventId: 'ok' },
      ),
    }));

    const result = await publish(WidgetCreated, widgets(3), fast);

    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3); // default: 3 attempts
    const stuck = detailOf(entriesOf(0)[1]!).id;
    expect(result.failed).toEqual([
      { id: stuck, errorCode: 'InternalFailure', errorMessage: 'still broken' },
    ]);
    expect(result.sent).toHaveLength(2);
    expect(result.sent).not.toContain(stuck);
    expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ message: 'publish_failed' }));
  });

  it('honours maxAttempts and does not retry errors that cannot succeed', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }],
    });
    await publish(WidgetCreated, widgets(1), { ...fast, maxAttempts: 5 });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(5);

    eventBridge.reset();
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' }],
    });
    const result = await publish(WidgetCreated, widgets(1), fast);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    expect(result.failed[0]?.errorCode).toBe('MalformedDetail');
  });

  it('backs off exponentially with jitter, capped, between attempts', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }],
    });
    jest.spyOn(Math, 'random').mockReturnValue(0.5);
    const delays: number[] = [];
    jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms: number) => {
      delays.push(ms);
      fn();
      return 0;
    }) as unknown as typeof setTimeout);

    await publish(WidgetCreated, widgets(1), { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 300 });

    // Waits between attempts 1-2, 2-3, 3-4: random share (0.5) of 100, 200, min(400, 300).
    expect(delays).toEqual([50, 100, 150]);
  });

  it('reports a batch whose request failed outright and still sends the other batches', async () => {
    eventBridge
      .on(PutEventsCommand)
      .rejectsOnce(Object.assign(new Error('no such bus'), { name: 'ResourceNotFoundException' }))
      .callsFake(allOk);

    const result = await publish(WidgetCreated, widgets(12), fast);

    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(2);
    expect(result.failed).toHaveLength(10);
    expect(result.failed[0]).toMatchObject({
      errorCode: 'ResourceNotFoundException',
      errorMessage: 'no such bus',
    });
    expect(result.sent).toHaveLength(2);
  });

  it('rejects an invalid detail, naming the contract and field, before sending anything', async () => {
    const details = [...widgets(2), { tenantId: 't', widgetId: 'w', size: 'big' as unknown as number }];

    await expect(publish(WidgetCreated, details, fast)).rejects.toThrow(MessageValidationError);
    await expect(publish(WidgetCreated, details, fast)).rejects.toThrow(
      /switchyard\.ingest\/WidgetCreated v2: message \[2\] is invalid: size:/,
    );
    await expect(
      publish(WidgetCreated, { widgetId: 'w', size: 1 } as unknown as {
        tenantId: string;
        widgetId: string;
        size: number;
      }),
    ).rejects.toThrow(/tenantId/);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('splits batches to stay under the 256 KiB request limit and rejects a single oversized event', async () => {
    eventBridge.on(PutEventsCommand).callsFake(allOk);
    const big = (id: string, kb: number) => ({
      tenantId: 't',
      widgetId: id,
      size: 1,
      note: 'x'.repeat(kb * 1024),
    });

    await publish(WidgetCreated, [big('a', 100), big('b', 100), big('c', 100)], fast);
    expect(eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([
      2, 1,
    ]);

    eventBridge.resetHistory();
    await expect(publish(WidgetCreated, [big('a', 1), big('huge', 300)], fast)).rejects.toThrow(
      /limit is 262144/,
    );
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('refuses to run without a bus name or with a queue contract', async () => {
    delete process.env.EVENT_BUS_NAME;
    await expect(publish(WidgetCreated, widgets(1))).rejects.toThrow(/EVENT_BUS_NAME/);
    process.env.EVENT_BUS_NAME = 'bus';
    await expect(publish(WidgetQueued, { tenantId: 't', widgetId: 'w' })).rejects.toThrow(/sendToQueue/);
    expect(eventBridge.calls()).toHaveLength(0);
  });
});

describe('sendToQueue', () => {
  const queueUrl = 'https://sqs.eu-west-1.amazonaws.com/123456789012/switchyard-test-delivery';
  const entriesOfQueue = (call: number): SendMessageBatchRequestEntry[] =>
    sqs.commandCalls(SendMessageBatchCommand)[call]!.args[0].input.Entries ?? [];
  const sqsOk = (input: { Entries?: SendMessageBatchRequestEntry[] }) => ({
    Successful: (input.Entries ?? []).map((e) => ({
      Id: e.Id,
      MessageId: `m-${e.Id}`,
      MD5OfMessageBody: '',
    })),
    Failed: [],
  });

  it('sends batches of 10 with the message as body and routing attributes', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(sqsOk);

    const result = await sendToQueue(
      WidgetQueued,
      Array.from({ length: 12 }, (_, i) => ({ tenantId: 't', widgetId: `w${i}` })),
      queueUrl,
      { correlationId: 'c-1' },
    );

    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 2]);
    expect(calls[0]!.args[0].input.QueueUrl).toBe(queueUrl);
    const [first] = entriesOfQueue(0);
    expect(JSON.parse(first!.MessageBody!)).toMatchObject({
      version: 1,
      tenantId: 't',
      correlationId: 'c-1',
      widgetId: 'w0',
    });
    expect(first!.MessageAttributes).toEqual({
      source: { DataType: 'String', StringValue: 'switchyard.delivery' },
      detailType: { DataType: 'String', StringValue: 'WidgetQueued' },
      correlationId: { DataType: 'String', StringValue: 'c-1' },
    });
    expect(result.sent).toHaveLength(12);
  });

  it('retries only entries SQS failed on its side and reports sender faults at once', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: 'm0', MessageId: 'x', MD5OfMessageBody: '' }],
        Failed: [
          { Id: 'm1', SenderFault: false, Code: 'InternalError', Message: 'retry me' },
          { Id: 'm2', SenderFault: true, Code: 'InvalidParameterValue', Message: 'never' },
        ],
      })
      .callsFake(sqsOk);

    const result = await sendToQueue(
      WidgetQueued,
      [0, 1, 2].map((i) => ({ tenantId: 't', widgetId: `w${i}` })),
      queueUrl,
      fast,
    );

    const ids = entriesOfQueue(0).map((e) => JSON.parse(e.MessageBody!).id);
    expect(entriesOfQueue(1).map((e) => JSON.parse(e.MessageBody!).id)).toEqual([ids[1]]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
    expect(result.sent.sort()).toEqual([ids[0], ids[1]].sort());
    expect(result.failed).toEqual([
      { id: ids[2], errorCode: 'InvalidParameterValue', errorMessage: 'never' },
    ]);
  });

  it('delays every message of a call by delaySeconds, within what SQS accepts', async () => {
    sqs.on(SendMessageBatchCommand).callsFake(sqsOk);

    await sendToQueue(WidgetQueued, [{ tenantId: 't', widgetId: 'w' }], queueUrl, { delaySeconds: 900 });
    await sendToQueue(WidgetQueued, [{ tenantId: 't', widgetId: 'w' }], queueUrl, { delaySeconds: 0 });

    expect(entriesOfQueue(0)[0]!.DelaySeconds).toBe(900);
    expect(entriesOfQueue(1)[0]).not.toHaveProperty('DelaySeconds');
    for (const delaySeconds of [-1, 901, 1.5]) {
      await expect(
        sendToQueue(WidgetQueued, [{ tenantId: 't', widgetId: 'w' }], queueUrl, { delaySeconds }),
      ).rejects.toThrow(/delaySeconds must be an integer from 0 to 900/);
    }
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
  });

  it('validates before sending and refuses bus contracts', async () => {
    await expect(sendToQueue(WidgetQueued, [{ tenantId: 't', widgetId: '' }], queueUrl)).rejects.toThrow(
      /WidgetQueued v1: message \[0\] is invalid: widgetId/,
    );
    await expect(sendToQueue(WidgetCreated, widgets(1), queueUrl)).rejects.toThrow(/use publish/);
    expect(sqs.calls()).toHaveLength(0);
  });
});
