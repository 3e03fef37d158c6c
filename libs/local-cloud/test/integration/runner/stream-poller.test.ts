/**
 * The DynamoDB stream poller against DynamoDB Local's Streams API and the fixture's real consumer,
 * with failures going to a real SQS OnFailure destination (fauxqs).
 */
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FunctionHost } from '../../../src/runner/host/function-host';
import { StreamPoller, streamMappingsFromServices } from '../../../src/runner/event-sources/stream-poller';
import type { DynamoDbStreamRecord } from '../../../src/runner/event-sources/stream-poller';
import { startDynamoDbLocal, startFauxqs } from './emulators';
import type { RunningEmulator } from './emulators';
import { fixtureResources, fixtureService, MapRegistry, RecordingInvoker, REGION, waitFor } from './helpers';

describe('DynamoDB stream poller', () => {
  let dynamo: RunningEmulator;
  let sqs: RunningEmulator;
  let ddb: DynamoDBClient;
  let sqsClient: SQSClient;
  let host: FunctionHost;
  let poller: StreamPoller;
  let invoker: RecordingInvoker;
  let streamArn: string;
  let failuresUrl: string;
  let mappings: ReturnType<typeof streamMappingsFromServices>;
  const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

  const recordsFor = (pk: string) =>
    invoker.calls.flatMap((c) =>
      (c.event as { Records: DynamoDbStreamRecord[] }).Records.filter(
        (r) => (r.dynamodb.Keys as { pk: { S: string } }).pk.S === pk,
      ),
    );

  beforeAll(async () => {
    [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startFauxqs()]);
    ddb = new DynamoDBClient({ endpoint: dynamo.endpoint, region: REGION, credentials });
    sqsClient = new SQSClient({ endpoint: sqs.endpoint, region: REGION, credentials });
    const table = await ddb.send(
      new CreateTableCommand({
        TableName: 'sample-local-items',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    streamArn = table.TableDescription!.LatestStreamArn!;
    failuresUrl = (
      await sqsClient.send(new CreateQueueCommand({ QueueName: 'sample-local-stream-failures' }))
    ).QueueUrl!;

    const registry = new MapRegistry('sample', fixtureResources(sqs.endpoint));
    const items = registry.get('sample', 'ItemsTable')!;
    registry.set('sample', { ...items, attributes: { ...items.attributes, StreamArn: streamArn } });
    const failures = registry.get('sample', 'StreamFailuresQueue')!;
    registry.set('sample', { ...failures, ref: failuresUrl });

    const service = await fixtureService();
    host = new FunctionHost({
      services: [service],
      registry,
      endpoints: { dynamodb: dynamo.endpoint, sqs: sqs.endpoint },
      log: () => undefined,
    });
    invoker = new RecordingInvoker(host);
    mappings = streamMappingsFromServices([service], registry);
    expect(mappings).toEqual([
      expect.objectContaining({
        functionName: 'sample-local-changes',
        streamArn,
        batchSize: 10,
        maximumBatchingWindowInSeconds: 0,
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: 1,
        bisectBatchOnFunctionError: true,
        reportBatchItemFailures: true,
        onFailure: { arn: failures.attributes.Arn, queueUrl: failuresUrl },
      }),
    ]);
    poller = new StreamPoller({
      invoker,
      // As `batchWindow: 1` in serverless.yml would set it (the fixture's stream source has none).
      mappings: mappings.map((mapping) => ({ ...mapping, maximumBatchingWindowInSeconds: 1 })),
      dynamodbEndpoint: dynamo.endpoint,
      sqsEndpoint: sqs.endpoint,
      region: REGION,
      pollIntervalMs: 100,
      shardRefreshMs: 500,
    });
    poller.start();
  });

  afterAll(async () => {
    await poller?.stop();
    await host?.stop();
    ddb?.destroy();
    sqsClient?.destroy();
    await Promise.all([dynamo?.stop(), sqs?.stop()]);
  });

  it("delivers inserts and updates in Lambda's DynamoDB stream event shape", async () => {
    await ddb.send(
      new PutItemCommand({
        TableName: 'sample-local-items',
        Item: { pk: { S: 'ok-1' }, n: { N: '1' }, b: { B: Buffer.from('hi') } },
      }),
    );
    await ddb.send(
      new PutItemCommand({ TableName: 'sample-local-items', Item: { pk: { S: 'ok-1' }, n: { N: '2' } } }),
    );
    const [insert, modify] = await waitFor('both changes', () => {
      const records = recordsFor('ok-1');
      return records.length >= 2 ? records : undefined;
    });
    expect(insert).toMatchObject({
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: REGION,
      eventSourceARN: streamArn,
      dynamodb: {
        Keys: { pk: { S: 'ok-1' } },
        NewImage: { pk: { S: 'ok-1' }, n: { N: '1' }, b: { B: Buffer.from('hi').toString('base64') } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    });
    expect(typeof insert!.eventID).toBe('string');
    expect(typeof insert!.dynamodb.SequenceNumber).toBe('string');
    expect(typeof insert!.dynamodb.SizeBytes).toBe('number');
    expect(typeof insert!.dynamodb.ApproximateCreationDateTime).toBe('number');
    expect(modify).toMatchObject({
      eventName: 'MODIFY',
      dynamodb: { OldImage: { n: { N: '1' } }, NewImage: { n: { N: '2' } } },
    });
    expect(recordsFor('ok-1')).toHaveLength(2);
  });

  it('gathers the records of its batching window (MaximumBatchingWindowInSeconds) into one invocation', async () => {
    const before = invoker.calls.length;
    // 250 ms apart: each poll (every 100 ms) would see one record, were it not for the 1 s window.
    for (const pk of ['win-1', 'win-2', 'win-3']) {
      await ddb.send(new PutItemCommand({ TableName: 'sample-local-items', Item: { pk: { S: pk } } }));
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await waitFor('the three records', () => (recordsFor('win-3').length > 0 ? true : undefined));
    const batches = invoker.calls
      .slice(before)
      .map((c) => (c.event as { Records: DynamoDbStreamRecord[] }).Records.map((r) => r.dynamodb.Keys));
    expect(batches).toEqual([[{ pk: { S: 'win-1' } }, { pk: { S: 'win-2' } }, { pk: { S: 'win-3' } }]]);
  });

  it('retries from the first failed record, then sends the batch to the OnFailure destination and moves on', async () => {
    await ddb.send(new PutItemCommand({ TableName: 'sample-local-items', Item: { pk: { S: 'fail-1' } } }));
    const message = await waitFor('a failure record', async () => {
      const out = await sqsClient.send(
        new ReceiveMessageCommand({ QueueUrl: failuresUrl, WaitTimeSeconds: 1 }),
      );
      return out.Messages?.[0]?.Body;
    });
    const failure = JSON.parse(message) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const failed = recordsFor('fail-1');
    // MaximumRetryAttempts 1: the first invocation and one retry.
    expect(failed).toHaveLength(2);
    expect(failure).toMatchObject({
      version: '1.0',
      requestContext: {
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 2,
        functionArn: expect.stringContaining(':function:sample-local-changes'),
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST' },
      DDBStreamBatchInfo: {
        startSequenceNumber: failed[0]!.dynamodb.SequenceNumber,
        batchSize: 1,
        streamArn,
      },
    });
    expect(failure.DDBStreamBatchInfo.shardId).toMatch(/^shardId-/);

    // The poller moved past the failed batch.
    await ddb.send(new PutItemCommand({ TableName: 'sample-local-items', Item: { pk: { S: 'ok-2' } } }));
    await waitFor('the next record', () => (recordsFor('ok-2').length > 0 ? true : undefined));
    expect(recordsFor('ok-1')).toHaveLength(2);
  });

  it("reads a pausing shard at once when a function of the stream's service has finished (nudge)", async () => {
    const watcher = new RecordingInvoker(host);
    // Polled once a minute: within this test, only a nudge can bring a new record.
    const nudged = new StreamPoller({
      invoker: watcher,
      mappings,
      dynamodbEndpoint: dynamo.endpoint,
      sqsEndpoint: sqs.endpoint,
      region: REGION,
      pollIntervalMs: 60_000,
      busyForMs: 0,
      shardRefreshMs: 500,
    });
    const seen = (pk: string) =>
      watcher.calls.some((c) =>
        (c.event as { Records: DynamoDbStreamRecord[] }).Records.some(
          (r) => (r.dynamodb.Keys as { pk: { S: string } }).pk.S === pk,
        ),
      );
    nudged.start();
    try {
      await waitFor('the earlier records read', () => {
        nudged.nudge('sample');
        return seen('ok-2') || undefined;
      });
      await ddb.send(new PutItemCommand({ TableName: 'sample-local-items', Item: { pk: { S: 'nudge-1' } } }));
      for (let i = 0; i < 6; i++) {
        nudged.nudge('another-service');
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(seen('nudge-1')).toBe(false);
      await waitFor(
        'the record after a nudge',
        () => {
          nudged.nudge('sample');
          return seen('nudge-1') || undefined;
        },
        10_000,
      );
    } finally {
      await nudged.stop();
    }
  });

  it('hands the function only the records its FilterCriteria patterns match, and moves past the others', async () => {
    const watcher = new RecordingInvoker(host);
    const filtered = new StreamPoller({
      invoker: watcher,
      // As `filterPatterns` in serverless.yml would set it: new items whose key starts with keep-.
      mappings: mappings.map((mapping) => ({
        ...mapping,
        filterPatterns: [
          JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: [{ prefix: 'keep-' }] } } } }),
        ],
      })),
      dynamodbEndpoint: dynamo.endpoint,
      sqsEndpoint: sqs.endpoint,
      region: REGION,
      pollIntervalMs: 100,
      shardRefreshMs: 500,
    });
    const keys = () =>
      watcher.calls.flatMap((c) =>
        (c.event as { Records: DynamoDbStreamRecord[] }).Records.map(
          (r) => `${r.eventName} ${(r.dynamodb.Keys as { pk: { S: string } }).pk.S}`,
        ),
      );
    filtered.start();
    try {
      for (const pk of ['drop-1', 'keep-1', 'drop-2']) {
        await ddb.send(new PutItemCommand({ TableName: 'sample-local-items', Item: { pk: { S: pk } } }));
      }
      await ddb.send(
        new PutItemCommand({ TableName: 'sample-local-items', Item: { pk: { S: 'keep-1' }, n: { N: '2' } } }),
      );
      await ddb.send(new PutItemCommand({ TableName: 'sample-local-items', Item: { pk: { S: 'keep-2' } } }));
      await waitFor('the last kept record', () => (keys().includes('INSERT keep-2') ? true : undefined));
      // Everything the stream held before (ok-*, win-*, ...) and the drops never reached it.
      expect(keys()).toEqual(['INSERT keep-1', 'INSERT keep-2']);
    } finally {
      await filtered.stop();
    }
  });
});
