import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
} from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Message } from '@aws-sdk/client-sqs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { listEmails } from '../../../src/emulators/ses';
import { packagedTemplatePath, readPackagedTemplate } from '../../../src/packaging';
import { repoRoot } from '../../../src/repo-root';
import { packageServices } from '../../../src/services';
import type { DeliveryRecord } from '../../../src/eventbridge';
import type { ProvisionedResource } from '../../../src/types';
import { isAlive, startHarness, waitFor } from './spawn-harness';
import type { Harness } from './spawn-harness';
import { BUS_NAME, itService } from './template';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';
const sampleDir = resolve(__dirname, '../../fixtures/sample-service');

type ProvisionResult = {
  resources: (ProvisionedResource & { service: string })[];
  alarms: { alarmName: string; properties: Record<string, unknown> }[];
  skipped: { logicalId: string; type: string }[];
  logs: string[];
};

describe('local cloud: emulators, bus and provisioning', () => {
  let harness: Harness;
  let provisioned: ProvisionResult;
  let events: EventBridgeClient;
  let sqs: SQSClient;
  let dynamodb: DynamoDBClient;

  const resource = (logicalId: string): ProvisionedResource => {
    const found = provisioned.resources.find((r) => r.service === 'it' && r.logicalId === logicalId);
    if (!found) throw new Error(`${logicalId} was not provisioned`);
    return found;
  };
  const receiveAll = async (queueUrl: string): Promise<Message[]> => {
    const out: Message[] = [];
    for (;;) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageAttributeNames: ['All'],
        }),
      );
      if (!Messages?.length) return out;
      out.push(...Messages);
    }
  };
  const deliveries = (): Promise<DeliveryRecord[]> => harness.call<DeliveryRecord[]>('/deliveries');

  beforeAll(async () => {
    harness = await startHarness();
    const { endpoints } = harness;
    events = new EventBridgeClient({ endpoint: endpoints.events, region, credentials });
    sqs = new SQSClient({ endpoint: endpoints.sqs, region, credentials });
    dynamodb = new DynamoDBClient({ endpoint: endpoints.dynamodb, region, credentials });
    provisioned = await harness.call<ProvisionResult>('/provision', [itService(__dirname)]);
  });

  afterAll(async () => {
    events?.destroy();
    sqs?.destroy();
    dynamodb?.destroy();
    await harness?.stop();
  });

  it('binds every listener to 127.0.0.1 only', () => {
    const listening = execFileSync('ss', ['-ltnH'], { encoding: 'utf8' }).split('\n');
    for (const [name, port] of Object.entries(harness.ports)) {
      const lines = listening.filter((line) => new RegExp(`:${port}\\s`).test(line));
      expect({ name, count: lines.length }).toEqual({ name, count: expect.any(Number) });
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) {
        const local = line.trim().split(/\s+/)[3] ?? '';
        expect({ name, local }).toEqual({
          name,
          local: expect.stringMatching(/^(127\.0\.0\.1|\[::ffff:127\.0\.0\.1\]):\d+$/),
        });
      }
    }
  });

  it('creates the table with its keys, index, stream and TTL, ignoring SSE and PITR', async () => {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: 'it-local-events' }));
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['byTenant']);
    expect(Table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(resource('EventsTable').attributes.StreamArn).toBe(Table?.LatestStreamArn);
    const ttl = await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'it-local-events' }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiresAt',
      TimeToLiveStatus: 'ENABLED',
    });
  });

  it('creates every table, one named after another resource once that resource exists', async () => {
    expect(resource('CountersTable').ref).toBe('it-local-counters');
    expect(resource('DlqIndexTable').ref).toBe('it-local-work-dlq-index');
    const { TableNames } = await dynamodb.send(new ListTablesCommand({}));
    expect(TableNames).toEqual(
      expect.arrayContaining(['it-local-events', 'it-local-counters', 'it-local-work-dlq-index']),
    );
  });

  it('creates queues after the queues they reference, with a resolved redrive policy', async () => {
    const work = resource('WorkQueue');
    expect(work.ref).toBe(`${harness.endpoints.sqs}/000000000000/it-local-work`);
    expect(work.attributes.Arn).toBe('arn:aws:sqs:us-east-1:000000000000:it-local-work');
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: work.ref, AttributeNames: ['All'] }),
    );
    expect(JSON.parse(Attributes?.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:it-local-work-dlq',
      maxReceiveCount: 3,
    });
    expect(Attributes?.VisibilityTimeout).toBe('30');
    expect(resource('TransformedQueue').attributes.QueueName).toBe('it-local-TransformedQueue');
  });

  it('records alarms with resolved dimensions, skips permission types silently and warns about unknown ones', () => {
    expect(provisioned.alarms).toEqual([
      expect.objectContaining({
        alarmName: 'it-local-WorkDlqAlarm',
        properties: expect.objectContaining({
          Dimensions: [{ Name: 'QueueName', Value: 'it-local-work-dlq' }],
          AlarmActions: ['arn:aws:sns:us-east-1:000000000000:it-local-alerts'],
        }),
      }),
    ]);
    expect(provisioned.skipped.map((s) => s.type).sort()).toEqual([
      'AWS::Foo::Bar',
      'AWS::IAM::Role',
      'AWS::SQS::QueuePolicy',
    ]);
    expect(provisioned.logs).toEqual([expect.stringContaining('AWS::Foo::Bar is not supported locally')]);
  });

  it('resolves function environment variables for the runner', async () => {
    const { value } = await harness.call<{ value: unknown }>('/resolve', {
      service: 'it',
      value: itService(__dirname).template.Resources.BoomLambdaFunction?.Properties?.Environment,
    });
    expect(value).toEqual({
      Variables: {
        TABLE: 'it-local-events',
        QUEUE_URL: resource('WorkQueue').ref,
        BUS_ARN: `arn:aws:events:us-east-1:000000000000:event-bus/${BUS_NAME}`,
        STREAM: resource('EventsTable').attributes.StreamArn,
      },
    });
    expect(resource('BoomLambdaFunction').attributes.Arn).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:it-local-boom',
    );
  });

  it('serves the EventBridge API to the real SDK client', async () => {
    const { EventBuses } = await events.send(new ListEventBusesCommand({}));
    expect(EventBuses?.map((bus) => bus.Name)).toEqual(expect.arrayContaining(['default', BUS_NAME]));
    const rule = await events.send(
      new DescribeRuleCommand({ Name: 'it-local-on-created', EventBusName: BUS_NAME }),
    );
    expect(rule.Arn).toBe(`arn:aws:events:us-east-1:000000000000:rule/${BUS_NAME}/it-local-on-created`);
    expect(JSON.parse(rule.EventPattern ?? '{}')).toEqual({
      source: ['switchyard.ingest'],
      'detail-type': ['ResourceCreated'],
    });
    const { Targets } = await events.send(
      new ListTargetsByRuleCommand({ Rule: 'it-local-on-created', EventBusName: BUS_NAME }),
    );
    expect(Targets?.map((t) => t.Id)).toEqual(['work', 'transformed']);
    await expect(
      events.send(
        new PutRuleCommand({
          Name: 'bad',
          EventBusName: BUS_NAME,
          EventPattern: '{"source":"not-an-array"}',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
    await expect(
      events.send(new PutRuleCommand({ Name: 'bad', ScheduleExpression: 'rate(0 minutes)' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('answers unknown operations with an AWS JSON error', async () => {
    const response = await fetch(harness.endpoints.events, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AWSEvents.CreatePartnerEventSource',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'UnknownOperationException',
      message: expect.any(String),
    });
  });

  it('validates PutEvents entries like AWS', async () => {
    const entry = { Source: 'switchyard.test', DetailType: 'Nothing', Detail: '{}', EventBusName: BUS_NAME };
    await expect(events.send(new PutEventsCommand({ Entries: Array(11).fill(entry) }))).rejects.toMatchObject(
      {
        name: 'ValidationException',
      },
    );
    await expect(
      events.send(new PutEventsCommand({ Entries: [{ ...entry, Detail: 'x'.repeat(300 * 1024) }] })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          entry,
          { ...entry, Source: undefined },
          { ...entry, Detail: '[1,2]' },
          { ...entry, EventBusName: 'nope' },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries?.[0]?.EventId).toEqual(expect.any(String));
    expect(result.Entries?.slice(1).map((e) => e.ErrorCode)).toEqual([
      'InvalidArgument',
      'MalformedDetail',
      'ResourceNotFoundException',
    ]);
  });

  it('delivers a matching event to its queues with the envelope (and the transformed input), not a non-matching one', async () => {
    const detail = { id: 'res-1', tenantId: 't-1' };
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'switchyard.ingest',
            DetailType: 'ResourceCreated',
            Detail: JSON.stringify(detail),
            EventBusName: BUS_NAME,
          },
          {
            Source: 'switchyard.ingest',
            DetailType: 'ResourceDeleted',
            Detail: JSON.stringify(detail),
            EventBusName: BUS_NAME,
          },
          { Source: 'switchyard.ingest', DetailType: 'ResourceCreated', Detail: JSON.stringify(detail) },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    await deliveries();
    const messages = await receiveAll(resource('WorkQueue').ref);
    expect(messages).toHaveLength(1);
    expect(JSON.parse(messages[0]?.Body ?? '')).toEqual({
      version: '0',
      id: result.Entries?.[0]?.EventId,
      'detail-type': 'ResourceCreated',
      source: 'switchyard.ingest',
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [],
      detail,
    });
    const transformed = await receiveAll(resource('TransformedQueue').ref);
    expect(transformed.map((m) => JSON.parse(m.Body ?? ''))).toEqual([
      { id: 'res-1', label: 'type ResourceCreated' },
    ]);
  });

  it('retries a failing function target, then sends the event to the target dead-letter queue', async () => {
    await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'switchyard.test', DetailType: 'Explode', Detail: '{"n":1}', EventBusName: BUS_NAME },
        ],
      }),
    );
    const record = (await deliveries()).find((d) => d.ruleName === 'it-local-boom');
    expect(record).toMatchObject({
      ok: false,
      attempts: 2,
      deadLetterArn: resource('WorkDlq').attributes.Arn,
    });
    const invocations = await harness.call<{ target: string; event: { detail: unknown } }[]>('/invocations');
    expect(invocations.filter((i) => i.target.endsWith(':function:it-local-boom'))).toHaveLength(2);
    expect(invocations[0]?.event.detail).toEqual({ n: 1 });
    const dead = await receiveAll(resource('WorkDlq').ref);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]?.Body ?? '')).toMatchObject({ 'detail-type': 'Explode', detail: { n: 1 } });
    expect(dead[0]?.MessageAttributes?.ERROR_MESSAGE?.StringValue).toContain('boom');
  });

  it('sends an event a target refuses for good to its DLQ at once, not after 185 retries', async () => {
    await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'switchyard.test', DetailType: 'Stray', Detail: '{"n":2}', EventBusName: BUS_NAME },
        ],
      }),
    );
    await waitFor(async () => (await deliveries()).some((d) => d.ruleName === 'it-local-lost'));
    const record = (await deliveries()).find((d) => d.ruleName === 'it-local-lost');
    expect(record).toMatchObject({
      ok: false,
      attempts: 1,
      deadLetterArn: resource('WorkDlq').attributes.Arn,
    });
    const dead = await receiveAll(resource('WorkDlq').ref);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]?.Body ?? '')).toMatchObject({ 'detail-type': 'Stray', detail: { n: 2 } });
    expect(dead[0]?.MessageAttributes?.ERROR_CODE?.StringValue).toBe('RESOURCE_NOT_FOUND');
    expect(dead[0]?.MessageAttributes?.RULE_ARN?.StringValue).toContain('rule/');
  });

  it('fires schedule rules with the Scheduled Event envelope', async () => {
    await harness.call('/trigger?rule=it-local-TickRule');
    const [message] = await receiveAll(resource('WorkQueue').ref);
    expect(JSON.parse(message?.Body ?? '')).toMatchObject({
      source: 'aws.events',
      'detail-type': 'Scheduled Event',
      detail: {},
      resources: ['arn:aws:events:us-east-1:000000000000:rule/it-local-TickRule'],
    });
  });

  it('delivers SNS messages to subscribed queues and keeps e-mails in the local mailbox', async () => {
    const sns = new SNSClient({ endpoint: harness.endpoints.sns, region, credentials });
    const ses = new SESv2Client({ endpoint: harness.endpoints.ses, region, credentials });
    try {
      await sns.send(new PublishCommand({ TopicArn: resource('AlertTopic').ref, Message: 'dlq not empty' }));
      await waitFor(async () =>
        (await receiveAll(resource('AlertsQueue').ref)).some((m) => m.Body === 'dlq not empty'),
      );
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'noreply@switchyard.test',
          Destination: { ToAddresses: ['ops@switchyard.test'] },
          Content: { Simple: { Subject: { Data: 'Hello' }, Body: { Text: { Data: 'local mail' } } } },
        }),
      );
      const emails = await listEmails(harness.endpoints.ses);
      expect(emails).toEqual([
        expect.objectContaining({
          subject: 'Hello',
          destination: expect.objectContaining({ to: ['ops@switchyard.test'] }),
        }),
      ]);
      expect((await fetch(harness.mailboxUrl)).status).toBe(200);
    } finally {
      sns.destroy();
      ses.destroy();
    }
  });

  it('provisions the same services again without failing', async () => {
    const again = await harness.call<ProvisionResult>('/provision', [itService(__dirname)]);
    expect(again.resources.find((r) => r.logicalId === 'WorkQueue')?.ref).toBe(resource('WorkQueue').ref);
  });

  // Packaged fixtures other suites own; whichever is packaged right now is used.
  const packagedFixture = [
    sampleDir,
    resolve(__dirname, '../../../../cfn-policy/test/fixtures/sample-service'),
  ].find((dir) => existsSync(packagedTemplatePath(dir)));
  (packagedFixture ? it : it.skip)('provisions a real packaged service template', async () => {
    const dir = packagedFixture ?? '';
    const template = readPackagedTemplate(dir);
    // A service importing the platform's exports (its API id, its alert topic) is provisioned after
    // the platform, packaged for the same stage, as the local cloud always does.
    const stage = /switchyard-(.+)-alert-topic-arn/.exec(JSON.stringify(template))?.[1];
    const platform = stage
      ? await packageServices([{ name: 'platform', dir: resolve(repoRoot(), 'services', 'platform') }], {
          repoRoot: repoRoot(),
          stage,
        })
      : [];
    const result = await harness.call<ProvisionResult>('/provision', [
      ...platform,
      { name: 'sample', dir, stage: stage ?? 'local', template },
    ]);
    for (const [logicalId, declared] of Object.entries(template.Resources)) {
      const made = result.resources.find((r) => r.service === 'sample' && r.logicalId === logicalId);
      expect({ logicalId, type: made?.type }).toEqual({ logicalId, type: declared.Type });
      if (declared.Type === 'AWS::DynamoDB::Table' && declared.Properties?.StreamSpecification) {
        expect(made?.attributes.StreamArn).toEqual(expect.stringContaining('/stream/'));
      }
      if (declared.Type === 'AWS::Events::Rule') {
        const rule = await events.send(
          new DescribeRuleCommand({
            Name: made?.ref,
            EventBusName: declared.Properties?.EventBusName as string | undefined,
          }),
        );
        expect(rule.State).toBe('ENABLED');
      }
    }
    expect(result.logs.filter((line) => line.includes('not supported'))).toEqual([]);
  });

  it('stops everything, leaving no DynamoDB Local process', async () => {
    const javaPid = harness.pids.dynamodb;
    expect(isAlive(javaPid)).toBe(true);
    await harness.stop();
    await waitFor(() => !isAlive(javaPid), 10000);
  });
});
