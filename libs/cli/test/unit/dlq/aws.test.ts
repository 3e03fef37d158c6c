// The AWS-only paths of `switchyard dlq`, with aws-sdk-client-mock: discovery from CloudFormation
// stacks + SQS + Lambda + CloudWatch, and a replay through SQS's StartMessageMoveTask (its
// cancellation on Ctrl-C). The ops API is a stubbed fetch that checks the requests are signed.
import {
  CloudFormationClient,
  DescribeStacksCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient, ListEventSourceMappingsCommand } from '@aws-sdk/client-lambda';
import {
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { runCli } from '../../../src/testing';

const region = 'eu-west-1';
const account = '123456789012';
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
const queueUrl = (name: string) => `https://sqs.${region}.amazonaws.com/${account}/${name}`;
const queueArn = (name: string) => `arn:aws:sqs:${region}:${account}:${name}`;

const cloudFormation = mockClient(CloudFormationClient);
const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
const cloudWatch = mockClient(CloudWatchClient);

const requests: { method: string; url: string; body: unknown; authorization: string }[] = [];
const fakeFetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
  const url = new URL(String(input));
  const body = init?.body ? JSON.parse(String(init.body)) : undefined;
  const headers = new Headers(init?.headers);
  requests.push({
    method: init?.method ?? 'GET',
    url: url.pathname,
    body,
    authorization: headers.get('authorization') ?? '',
  });
  if (url.pathname === '/operator/dlq-actions')
    return Response.json({ actionId: 'dlqa_1', status: 'started', ...body }, { status: 201 });
  if (url.pathname.endsWith('/finish'))
    return Response.json({ actionId: 'dlqa_1', status: 'finished', ...body });
  return Response.json({ message: 'Not Found' }, { status: 404 });
}) as typeof fetch;

/** `switchyard ...args` against the mocked AWS clients and the stubbed ops API. */
function run(args: string[], interrupt?: AbortSignal) {
  return runCli(args, {
    fetch: fakeFetch,
    credentials,
    cloudFormation: new CloudFormationClient({ region, credentials }),
    sqs: new SQSClient({ region, credentials }),
    lambda: new LambdaClient({ region, credentials }),
    cloudWatch: new CloudWatchClient({ region, credentials }),
    dynamodb: new DynamoDBClient({ region, credentials }),
    ...(interrupt ? { interrupt } : {}),
  });
}

/** `switchyard dlq replay` of ingest's projections DLQ on the prod stage, printing JSON. */
const replayProd = (extra: string[], interrupt?: AbortSignal) =>
  run(
    [
      'dlq',
      'replay',
      'ingest-prod-projections-dlq',
      '--stage',
      'prod',
      '--region',
      region,
      '--json',
      ...extra,
    ],
    interrupt,
  );

beforeEach(() => {
  for (const mock of [cloudFormation, sqs, lambda, cloudWatch]) mock.reset();
  requests.length = 0;
  cloudFormation.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'ingest-prod',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Tags: [{ Key: 'project', Value: 'switchyard' }],
      },
      {
        StackName: 'delivery-prod',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Tags: [{ Key: 'project', Value: 'switchyard' }],
      },
      {
        StackName: 'ingest-staging',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Tags: [{ Key: 'project', Value: 'switchyard' }],
      },
      { StackName: 'someone-else-prod', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Tags: [] },
    ],
  });
  cloudFormation.on(DescribeStacksCommand, { StackName: 'platform-prod' }).resolves({
    Stacks: [
      {
        StackName: 'platform-prod',
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [
          { OutputKey: 'HttpApiUrl', OutputValue: 'https://api.execute-api.eu-west-1.amazonaws.com' },
        ],
      },
    ],
  });
  cloudFormation.on(ListStackResourcesCommand, { StackName: 'ingest-prod' }).resolves({
    StackResourceSummaries: [
      {
        ResourceType: 'AWS::SQS::Queue',
        PhysicalResourceId: queueUrl('ingest-prod-projections'),
        LogicalResourceId: 'A',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
      {
        ResourceType: 'AWS::SQS::Queue',
        PhysicalResourceId: queueUrl('ingest-prod-projections-dlq'),
        LogicalResourceId: 'B',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
      {
        ResourceType: 'AWS::Lambda::Function',
        PhysicalResourceId: 'ingest-prod-projectState',
        LogicalResourceId: 'C',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
    ],
  });
  cloudFormation.on(ListStackResourcesCommand, { StackName: 'delivery-prod' }).resolves({
    StackResourceSummaries: [
      {
        ResourceType: 'AWS::SQS::Queue',
        PhysicalResourceId: queueUrl('delivery-prod-attempts'),
        LogicalResourceId: 'A',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
      {
        ResourceType: 'AWS::SQS::Queue',
        PhysicalResourceId: queueUrl('delivery-prod-attempts-dlq'),
        LogicalResourceId: 'B',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
      {
        ResourceType: 'AWS::Lambda::Function',
        PhysicalResourceId: 'delivery-prod-deliver',
        LogicalResourceId: 'C',
        ResourceStatus: 'CREATE_COMPLETE',
        LastUpdatedTimestamp: new Date(),
      },
    ],
  });
  const attributes = (name: string, dlq?: string, depth = 0) => ({
    Attributes: {
      QueueArn: queueArn(name),
      ApproximateNumberOfMessages: String(depth),
      ApproximateNumberOfMessagesNotVisible: '0',
      ...(dlq
        ? { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn(dlq), maxReceiveCount: 5 }) }
        : {}),
    },
  });
  sqs
    .on(GetQueueAttributesCommand, { QueueUrl: queueUrl('ingest-prod-projections') })
    .resolves(attributes('ingest-prod-projections', 'ingest-prod-projections-dlq'));
  sqs
    .on(GetQueueAttributesCommand, { QueueUrl: queueUrl('ingest-prod-projections-dlq') })
    .resolves(attributes('ingest-prod-projections-dlq', undefined, 42));
  sqs
    .on(GetQueueAttributesCommand, { QueueUrl: queueUrl('delivery-prod-attempts') })
    .resolves(attributes('delivery-prod-attempts', 'delivery-prod-attempts-dlq'));
  sqs
    .on(GetQueueAttributesCommand, { QueueUrl: queueUrl('delivery-prod-attempts-dlq') })
    .resolves(attributes('delivery-prod-attempts-dlq'));
  lambda.on(ListEventSourceMappingsCommand, { FunctionName: 'ingest-prod-projectState' }).resolves({
    EventSourceMappings: [
      {
        FunctionArn: `arn:aws:lambda:${region}:${account}:function:ingest-prod-projectState`,
        EventSourceArn: queueArn('ingest-prod-projections'),
      },
    ],
  });
  lambda.on(ListEventSourceMappingsCommand, { FunctionName: 'delivery-prod-deliver' }).resolves({
    EventSourceMappings: [
      {
        FunctionArn: `arn:aws:lambda:${region}:${account}:function:delivery-prod-deliver`,
        EventSourceArn: queueArn('delivery-prod-attempts'),
      },
    ],
  });
  cloudWatch.on(GetMetricStatisticsCommand).resolves({
    Datapoints: [
      { Timestamp: new Date(Date.now() - 120_000), Maximum: 500 },
      { Timestamp: new Date(Date.now() - 60_000), Maximum: 560 },
    ],
  });
});

describe('switchyard dlq on AWS (--stage)', () => {
  it("lists the stage's DLQs from its stacks, a new service's included, with depth and CloudWatch's oldest age", async () => {
    const { code, out, err } = await run(['dlq', 'list', '--stage', 'prod', '--region', region, '--json']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(JSON.parse(out)).toEqual([
      expect.objectContaining({
        name: 'delivery-prod-attempts-dlq',
        sourceQueue: 'delivery-prod-attempts',
        consumer: 'delivery-prod-deliver',
        depth: 0,
        oldestAgeSeconds: null,
      }),
      expect.objectContaining({
        name: 'ingest-prod-projections-dlq',
        url: queueUrl('ingest-prod-projections-dlq'),
        sourceQueue: 'ingest-prod-projections',
        consumer: 'ingest-prod-projectState',
        depth: 42,
        oldestAgeSeconds: 560,
      }),
    ]);
    expect(
      cloudFormation
        .commandCalls(ListStackResourcesCommand)
        .map((c) => c.args[0].input.StackName)
        .sort(),
    ).toEqual(['delivery-prod', 'ingest-prod']);
  });

  it('replays everything with StartMessageMoveTask at the rate asked, audited through the signed ops API', async () => {
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({
        Results: [
          {
            TaskHandle: 'task-1',
            Status: 'RUNNING',
            ApproximateNumberOfMessagesMoved: 10,
            ApproximateNumberOfMessagesToMove: 42,
          },
        ],
      })
      .resolves({
        Results: [
          {
            TaskHandle: 'task-1',
            Status: 'COMPLETED',
            ApproximateNumberOfMessagesMoved: 42,
            ApproximateNumberOfMessagesToMove: 42,
          },
        ],
      });
    const { code, out, err } = await replayProd(['--rate', '25']);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)[0]!.args[0].input).toEqual({
      SourceArn: queueArn('ingest-prod-projections-dlq'),
      MaxNumberOfMessagesPerSecond: 25,
    });
    expect(JSON.parse(out)).toMatchObject({
      mode: 'move-task',
      moved: 42,
      failed: 0,
      interrupted: false,
      actionId: 'dlqa_1',
    });
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'POST /operator/dlq-actions',
      'POST /operator/dlq-actions/dlqa_1/finish',
    ]);
    expect(requests[0]!.body).toEqual({
      action: 'replay',
      dlqName: 'ingest-prod-projections-dlq',
      targetQueue: 'ingest-prod-projections',
      filter: {},
      dryRun: false,
    });
    expect(requests[1]!.body).toMatchObject({ moved: 42, skipped: 0, failed: 0, interrupted: false });
    for (const request of requests)
      expect(request.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/execute-api\//,
      );
  });

  it('cancels the move task on Ctrl-C; what SQS moved stays moved', async () => {
    const stop = new AbortController();
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-2' });
    sqs.on(CancelMessageMoveTaskCommand).resolves({ ApproximateNumberOfMessagesMoved: 7 });
    sqs
      .on(ListMessageMoveTasksCommand)
      .callsFakeOnce(async () => {
        stop.abort();
        return {
          Results: [
            {
              TaskHandle: 'task-2',
              Status: 'RUNNING',
              ApproximateNumberOfMessagesMoved: 5,
              ApproximateNumberOfMessagesToMove: 42,
            },
          ],
        };
      })
      .resolves({
        Results: [
          {
            TaskHandle: 'task-2',
            Status: 'CANCELLED',
            ApproximateNumberOfMessagesMoved: 7,
            ApproximateNumberOfMessagesToMove: 42,
          },
        ],
      });
    const { code, out } = await replayProd([], stop.signal);
    expect(code).toBe(130);
    expect(sqs.commandCalls(CancelMessageMoveTaskCommand)[0]!.args[0].input).toEqual({
      TaskHandle: 'task-2',
    });
    expect(JSON.parse(out)).toMatchObject({ moved: 7, interrupted: true });
    expect(requests[1]!.body).toMatchObject({ moved: 7, interrupted: true });
  });

  it.each([
    [['--filter', 'detail-type=ApiKeyCreated']],
    [['--max', '5']],
    [['--dry-run']],
    [['--no-move-task']],
  ])('goes message by message, never by move task, with %j', async (extra) => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const { code, out } = await replayProd(extra);
    expect(code).toBe(0);
    expect(JSON.parse(out).mode).toBe('per-message');
    expect(sqs.commandCalls(StartMessageMoveTaskCommand)).toHaveLength(0);
  });

  it('refuses unknown DLQs and stages without stacks clearly', async () => {
    const unknown = await run(['dlq', 'peek', 'nope', '--stage', 'prod', '--region', region]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe(
      'switchyard: nope is not a DLQ of this platform; the DLQs are: delivery-prod-attempts-dlq, ingest-prod-projections-dlq\n',
    );
    const noStacks = await run(['dlq', 'list', '--stage', 'qa', '--region', region]);
    expect(noStacks.err).toMatch(/no Switchyard stacks for stage qa/);
  });
});
