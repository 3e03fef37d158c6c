/**
 * The SQS poller against a real queue (fauxqs) and the fixture's real consumer.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { FunctionHost } from '../../../src/runner/host/function-host';
import { SqsPoller, sqsMappingsFromServices } from '../../../src/runner/event-sources/sqs-poller';
import type { SqsRecord } from '../../../src/runner/event-sources/sqs-poller';
import { startFauxqs } from './emulators';
import type { RunningEmulator } from './emulators';
import { fixtureResources, fixtureService, MapRegistry, RecordingInvoker, REGION, waitFor } from './helpers';

describe('SQS poller', () => {
  let sqs: RunningEmulator;
  let client: SQSClient;
  let host: FunctionHost;
  let poller: SqsPoller;
  let invoker: RecordingInvoker;
  let workUrl: string;
  let dlqUrl: string;
  let workArn: string;
  let mappings: ReturnType<typeof sqsMappingsFromServices>;

  const deliveries = (messageId: string) =>
    invoker.calls.filter((c) =>
      (c.event as { Records: SqsRecord[] }).Records.some((r) => r.messageId === messageId),
    );

  async function dlqMessages(): Promise<string[]> {
    const out = await client.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    return (out.Messages ?? []).map((m) => m.Body ?? '');
  }

  beforeAll(async () => {
    sqs = await startFauxqs();
    client = new SQSClient({
      endpoint: sqs.endpoint,
      region: REGION,
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const service = await fixtureService();
    const registry = new MapRegistry('sample', fixtureResources(sqs.endpoint));
    // Provision the fixture's queues as its template declares them.
    const dlq = await client.send(new CreateQueueCommand({ QueueName: 'sample-local-work-dlq' }));
    dlqUrl = dlq.QueueUrl!;
    const dlqArn = registry.get('sample', 'WorkDlq')!.attributes.Arn!;
    const work = await client.send(
      new CreateQueueCommand({
        QueueName: 'sample-local-work',
        Attributes: {
          VisibilityTimeout: '2',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }),
        },
      }),
    );
    workUrl = work.QueueUrl!;
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: workUrl, AttributeNames: ['QueueArn'] }),
    );
    workArn = attributes.Attributes!.QueueArn!;
    for (const [logicalId, url] of [
      ['WorkQueue', workUrl],
      ['WorkDlq', dlqUrl],
    ] as const) {
      const resource = registry.get('sample', logicalId)!;
      registry.set('sample', { ...resource, ref: url });
    }

    host = new FunctionHost({
      services: [service],
      registry,
      endpoints: { sqs: sqs.endpoint },
      log: () => undefined,
    });
    invoker = new RecordingInvoker(host);
    mappings = sqsMappingsFromServices([service], registry);
    expect(mappings).toEqual([
      expect.objectContaining({
        functionName: 'sample-local-consume',
        queueArn: workArn,
        queueUrl: workUrl,
        batchSize: 5,
        maximumBatchingWindowInSeconds: 1,
        reportBatchItemFailures: true,
      }),
    ]);
    poller = new SqsPoller({ invoker, mappings, endpoint: sqs.endpoint, region: REGION });
    poller.start();
  });

  afterAll(async () => {
    const stopping = Date.now();
    await poller?.stop();
    // stop() aborts the 20 s long poll instead of waiting it out.
    expect(Date.now() - stopping).toBeLessThan(2_000);
    await host?.stop();
    client?.destroy();
    await sqs?.stop();
  });

  it("delivers a batch in Lambda's SQS event shape and redelivers only the reported failure until it reaches the DLQ", async () => {
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: workUrl,
        Entries: [
          {
            Id: 'ok1',
            MessageBody: JSON.stringify({ n: 1 }),
            MessageAttributes: { kind: { DataType: 'String', StringValue: 'test' } },
          },
          { Id: 'bad', MessageBody: JSON.stringify({ fail: true }) },
          { Id: 'ok2', MessageBody: JSON.stringify({ n: 2 }) },
        ],
      }),
    );
    const id = (entry: string) => sent.Successful!.find((s) => s.Id === entry)!.MessageId!;

    await waitFor('the failed message in the DLQ', async () => {
      const bodies = await dlqMessages();
      return bodies.includes(JSON.stringify({ fail: true })) ? bodies : undefined;
    });

    expect(deliveries(id('ok1'))).toHaveLength(1);
    expect(deliveries(id('ok2'))).toHaveLength(1);
    // maxReceiveCount 2: delivered twice, then moved to the DLQ on the next receive.
    expect(deliveries(id('bad'))).toHaveLength(2);

    const first = deliveries(id('ok1'))[0]!;
    expect(first.functionName).toBe('sample-local-consume');
    const record = (first.event as { Records: SqsRecord[] }).Records.find((r) => r.messageId === id('ok1'))!;
    expect(record).toMatchObject({
      messageId: id('ok1'),
      body: '{"n":1}',
      eventSource: 'aws:sqs',
      eventSourceARN: workArn,
      awsRegion: REGION,
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {
        kind: { stringValue: 'test', stringListValues: [], binaryListValues: [], dataType: 'String' },
      },
    });
    expect(record.receiptHandle).toBeTruthy();
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(0);
    expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThan(0);
    const retried = deliveries(id('bad'))[1]!;
    const retriedRecord = (retried.event as { Records: SqsRecord[] }).Records.find(
      (r) => r.messageId === id('bad'),
    )!;
    expect(retriedRecord.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('deletes nothing when the function fails, so the message ends in the DLQ', async () => {
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: workUrl, MessageBody: JSON.stringify({ crash: true }) }),
    );
    await waitFor('the crashing message in the DLQ', async () =>
      (await dlqMessages()).includes('{"crash":true}') ? true : undefined,
    );
    const calls = deliveries(sent.MessageId!);
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => !c.result.ok)).toBe(true);
  });

  it('hands the function only the messages its FilterCriteria patterns match, and deletes the others', async () => {
    const queue = await client.send(new CreateQueueCommand({ QueueName: 'sample-local-filtered' }));
    const queueUrl = queue.QueueUrl!;
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
    const watcher = new RecordingInvoker(host);
    const filtered = new SqsPoller({
      invoker: watcher,
      // As `filterPatterns` in serverless.yml would set it: a JSON body is matched as JSON.
      mappings: [
        {
          ...mappings[0]!,
          queueArn: Attributes!.QueueArn!,
          queueUrl,
          filterPatterns: [JSON.stringify({ body: { kind: ['keep'] } })],
        },
      ],
      endpoint: sqs.endpoint,
      region: REGION,
      waitTimeSeconds: 1,
    });
    filtered.start();
    try {
      await client.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: ['{"kind":"keep","n":1}', '{"kind":"drop"}', 'not json', '{"kind":"keep","n":2}'].map(
            (MessageBody, index) => ({ Id: String(index), MessageBody }),
          ),
        }),
      );
      const bodies = () =>
        watcher.calls.flatMap((c) => (c.event as { Records: SqsRecord[] }).Records.map((r) => r.body));
      await waitFor('both kept messages', () => (bodies().length >= 2 ? true : undefined));
      await waitFor('the queue emptied, dropped messages included', async () => {
        const { Attributes: depth } = await client.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        return depth?.ApproximateNumberOfMessages === '0' &&
          depth.ApproximateNumberOfMessagesNotVisible === '0'
          ? true
          : undefined;
      });
      expect(bodies().sort()).toEqual(['{"kind":"keep","n":1}', '{"kind":"keep","n":2}']);
    } finally {
      await filtered.stop();
    }
  });
});
