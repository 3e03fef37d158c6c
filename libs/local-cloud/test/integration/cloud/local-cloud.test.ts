// The whole local cloud, started the way every integration and e2e suite starts it, and observed
// only from outside: HTTP, the AWS SDK against its endpoints, dev.json and the process table.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { eventually, LOCAL_CREDENTIALS, startLocalCloud } from '../../../src';
import type { RunningLocalCloud } from '../../../src';

const fixture = join(__dirname, '..', '..', 'fixtures', 'sample-service');
const credentials = LOCAL_CREDENTIALS;

function processTree(root: number): number[] {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found = [root];
  for (let i = 0; i < found.length; i++) {
    for (const [pid, ppid] of table) if (ppid === found[i]) found.push(pid);
  }
  return found.filter((pid) => table.some(([p]) => p === pid));
}

describe('local cloud started with startLocalCloud', () => {
  let cloud: RunningLocalCloud;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'sy-cloud-'));
    cloud = await startLocalCloud({
      serviceDirs: [fixture],
      stateDir,
      env: { SWITCHYARD_TEST_SENTINEL: 'leak' },
    });
  });

  afterAll(async () => {
    await cloud?.stop();
  });

  it('is ready: GET /status answers 200 and dev.json holds the facts scripts need', async () => {
    const response = await fetch(`${cloud.apiUrl}/status`);
    expect(response.status).toBe(200);
    const facts = JSON.parse(readFileSync(join(stateDir, 'dev.json'), 'utf8'));
    expect(facts.apiUrl).toBe(cloud.apiUrl);
    expect(Object.keys(facts.endpoints).sort()).toEqual([
      'dynamodb',
      'events',
      'lambda',
      's3',
      'ses',
      'sns',
      'sqs',
    ]);
    expect(facts.region).toBe('us-east-1');
    expect(facts.mailboxUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    // No identity service here: no demo tenant, and dev.json says why instead of inventing one.
    expect(facts.tenantId).toBeNull();
    expect(facts.apiKey).toBeNull();
    expect(facts.missing.join(' ')).toMatch(/identity/);
  });

  it('binds every listener to 127.0.0.1 only', () => {
    const ports = [cloud.apiUrl, ...Object.values(cloud.endpoints)].map((url) => new URL(url).port);
    const listening = execFileSync('ss', ['-ltnH'], { encoding: 'utf8' });
    for (const port of new Set(ports)) {
      const lines = listening.split('\n').filter((line) => new RegExp(`:${port}\\s`).test(line));
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const local = line.trim().split(/\s+/)[3] ?? '';
        expect(local).toMatch(/^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):\d+$/);
      }
    }
  });

  it('serves routes from the packaged template and survives a handler that throws', async () => {
    expect((await fetch(`${cloud.apiUrl}/boom`)).status).toBe(500);
    const hello = await fetch(`${cloud.apiUrl}/hello/switchyard`);
    expect(hello.status).toBe(200);
    expect(await hello.text()).toContain('switchyard');

    // What `npx switchyard status` shows: each function's invocations, errors and p99 (AWS/Lambda).
    const health = (await (await fetch(`${cloud.endpoints.lambda}/_switchyard/health?minutes=1`)).json()) as {
      functions: { functionName: string; invocations: number; errors: number; p99Ms: number | null }[];
    };
    expect(health.functions.find((f) => f.functionName === 'sample-local-boom')).toMatchObject({
      invocations: 1,
      errors: 1,
    });
    expect(health.functions.find((f) => f.functionName === 'sample-local-hello')).toMatchObject({
      errors: 0,
      p99Ms: expect.any(Number),
    });
  });

  it('gives a function only its template environment, not the environment of whoever started the cloud', async () => {
    const env = (await (await fetch(`${cloud.apiUrl}/env/a`)).json()) as Record<string, unknown>;
    const values = JSON.stringify(env);
    expect(values).toContain('alpha');
    expect(values).not.toContain('SWITCHYARD_TEST_SENTINEL');
  });

  it('routes a PutEvents from the unchanged SDK over the bus to the rule target function', async () => {
    const events = new EventBridgeClient({
      endpoint: cloud.endpoints.events,
      region: cloud.region,
      credentials,
    });
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'switchyard-local-bus',
            Source: 'switchyard.sample',
            DetailType: 'ResourceCreated',
            Detail: JSON.stringify({ name: 'from-the-bus' }),
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    const eventId = result.Entries?.[0]?.EventId;
    const dynamodb = new DynamoDBClient({
      endpoint: cloud.endpoints.dynamodb,
      region: cloud.region,
      credentials,
    });
    const item = await eventually(async () => {
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: 'sample-local-items', Key: { pk: { S: `event#${eventId}` } } }),
      );
      return Item;
    });
    expect(item.name?.S).toBe('from-the-bus');
  });

  it('answers Lambda API calls from the unchanged SDK: event source mappings from the template', async () => {
    const lambda = new LambdaClient({ endpoint: cloud.endpoints.lambda, region: cloud.region, credentials });
    const { EventSourceMappings = [] } = await lambda.send(new ListEventSourceMappingsCommand({}));
    const consume = EventSourceMappings.find((m) =>
      m.FunctionArn?.endsWith(':function:sample-local-consume'),
    );
    expect(consume).toMatchObject({
      EventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:sample-local-work',
      State: 'Enabled',
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    const changes = EventSourceMappings.find((m) =>
      m.FunctionArn?.endsWith(':function:sample-local-changes'),
    );
    expect(changes?.DestinationConfig?.OnFailure?.Destination).toBe(
      'arn:aws:sqs:us-east-1:000000000000:sample-local-stream-failures',
    );
    const byQueue = await lambda.send(
      new ListEventSourceMappingsCommand({ EventSourceArn: consume!.EventSourceArn }),
    );
    expect(byQueue.EventSourceMappings?.map((m) => m.UUID)).toEqual([consume!.UUID]);
  });

  it("changes a function's environment like UpdateFunctionConfiguration: fresh sandboxes, others untouched", async () => {
    const lambda = new LambdaClient({ endpoint: cloud.endpoints.lambda, region: cloud.region, credentials });
    const envA = async () => (await (await fetch(`${cloud.apiUrl}/env/a`)).json()) as Record<string, unknown>;
    expect((await envA()).aValue).toBe('alpha');
    const before = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: 'sample-local-envA' }),
    );
    expect(before.Environment?.Variables).toMatchObject({ ONLY_IN: 'a', A_VALUE: 'alpha' });
    expect(before.Environment?.Variables).not.toHaveProperty('AWS_REGION');

    const after = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'sample-local-envA',
        Environment: { Variables: { ...before.Environment!.Variables, A_VALUE: 'beta' } },
      }),
    );
    expect(after.Environment?.Variables?.A_VALUE).toBe('beta');
    const changed = await envA();
    expect(changed.aValue).toBe('beta');
    // What the local cloud gives every function is kept.
    expect(changed.keys).toContain('SWITCHYARD_LOCAL_API_URL');
    const envB = (await (await fetch(`${cloud.apiUrl}/env/b`)).json()) as Record<string, unknown>;
    expect(envB.onlyIn).toBe('b');

    await expect(
      lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: 'sample-local-envA',
          Environment: { Variables: { AWS_REGION: 'eu-west-1' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(
      lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'no-such-function' })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'sample-local-envA',
        Environment: { Variables: before.Environment!.Variables! },
      }),
    );
    expect((await envA()).aValue).toBe('alpha');
  });

  it('moves a message its consumer keeps failing to the DLQ and raises the DLQ alarm in dev.json', async () => {
    const sqs = new SQSClient({ endpoint: cloud.endpoints.sqs, region: cloud.region, credentials });
    // Whoever subscribed to the alarm's SNS action hears about it, as from CloudWatch.
    const sns = new SNSClient({ endpoint: cloud.endpoints.sns, region: cloud.region, credentials });
    const alerts = await sqs.send(new CreateQueueCommand({ QueueName: `alerts-${Date.now()}` }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: alerts.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: 'arn:aws:sns:us-east-1:000000000000:sample-local-AlertTopic',
        Protocol: 'sqs',
        Endpoint: Attributes!.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'sample-local-work' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ fail: true }) }));
    const alarm = await eventually(
      async () => {
        const facts = JSON.parse(readFileSync(join(stateDir, 'dev.json'), 'utf8'));
        return (facts.alarms as { name: string; state: string; depth: number }[]).find(
          (a) => a.name === 'sample-local-work-dlq-not-empty' && a.state === 'ALARM',
        );
      },
      { timeoutMs: 45_000 },
    );
    expect(alarm.depth).toBe(1);
    expect(cloud.output()).toContain('ALARM sample-local-work-dlq-not-empty');
    expect(cloud.output()).toContain('DLQ alarms   sample-local-work-dlq (1)');
    const notification = await eventually(async () => {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: alerts.QueueUrl, WaitTimeSeconds: 1 }),
      );
      return Messages?.[0];
    });
    expect(JSON.parse(notification.Body!)).toMatchObject({
      AlarmName: 'sample-local-work-dlq-not-empty',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      Trigger: { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS' },
    });
  });

  it('stops within 10 s and leaves no process behind, the Java process included', async () => {
    const tree = processTree(cloud.pid);
    expect(tree.length).toBeGreaterThan(1); // the cloud and at least DynamoDB Local's JVM
    const started = Date.now();
    await cloud.stop();
    const living = () =>
      tree
        .filter((pid) => existsSync(`/proc/${pid}`))
        .filter((pid) => !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')))
        .map(
          (pid) => `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').slice(0, 120)}`,
        );
    while (living().length > 0 && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(living()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe('a rule the pattern matcher does not support', () => {
  it('stops the local cloud from starting, naming the rule and the offending operator', async () => {
    const badService = join(__dirname, '..', '..', 'fixtures', 'bad-pattern-service');
    const stateDir = mkdtempSync(join(tmpdir(), 'sy-bad-'));
    await expect(startLocalCloud({ serviceDirs: [badService], stateDir })).rejects.toThrow(
      /onThingrule1EventBridgeRule.*pattern\.detail\.amount: unsupported operator "between"/,
    );
  });
});
