import { ListSubscriptionsByTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { AlarmWatcher, alarmNotification } from '../../../src/alarms';
import type { AlarmDefinition } from '../../../src/provision';

const region = 'eu-west-1';
const topic = `arn:aws:sns:${region}:000000000000:svc-local-alerts`;

const dlqAlarm = (overrides: Record<string, unknown> = {}): AlarmDefinition => ({
  service: 'svc',
  logicalId: 'WorkDlqAlarm',
  alarmName: 'svc-local-work-dlq-not-empty',
  properties: {
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: 'svc-local-work-dlq' }],
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    AlarmActions: [topic],
    OKActions: [topic],
    ...overrides,
  },
});

const sqs = mockClient(SQSClient);
const sns = mockClient(SNSClient);
let depth = 0;

beforeEach(() => {
  sqs.reset();
  sns.reset();
  depth = 0;
  sqs.on(GetQueueUrlCommand).callsFake(async ({ QueueName }: { QueueName: string }) => ({
    QueueUrl: `http://sqs.local/${QueueName}`,
  }));
  sqs.on(GetQueueAttributesCommand).callsFake(async () => ({
    Attributes: { ApproximateNumberOfMessages: String(depth) },
  }));
  sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
  sns
    .on(ListSubscriptionsByTopicCommand)
    .resolves({ Subscriptions: [{ TopicArn: topic, Protocol: 'email', SubscriptionArn: `${topic}:1` }] });
});

describe('AlarmWatcher (CloudWatch SQS depth alarms against the local queues)', () => {
  it('publishes only to topics someone subscribed to, asking once per topic and evaluation', async () => {
    const alarms = [dlqAlarm(), { ...dlqAlarm(), alarmName: 'svc-local-other-dlq-not-empty' }];
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    const watcher = new AlarmWatcher(alarms, 'http://sqs.local', region, () => undefined);
    expect(await watcher.evaluate()).toBe(true);
    expect(watcher.states().map((state) => state.state)).toEqual(['OK', 'OK']);
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);

    sns
      .on(ListSubscriptionsByTopicCommand)
      .resolves({ Subscriptions: [{ TopicArn: topic, Protocol: 'https', SubscriptionArn: `${topic}:2` }] });
    depth = 1;
    expect(await watcher.evaluate()).toBe(true);
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand)).toHaveLength(2);
    const published = sns.commandCalls(PublishCommand).map((call) => JSON.parse(call.args[0].input.Message!));
    expect(published.map((message) => [message.AlarmName, message.NewStateValue])).toEqual([
      ['svc-local-work-dlq-not-empty', 'ALARM'],
      ['svc-local-other-dlq-not-empty', 'ALARM'],
    ]);
  });

  it('fires when the DLQ holds a message, logs it, and publishes CloudWatch’s notification to AlarmActions', async () => {
    const log: string[] = [];
    const watcher = new AlarmWatcher([dlqAlarm()], 'http://sqs.local', region, (line) => log.push(line));
    expect(await watcher.evaluate()).toBe(true);
    expect(watcher.states()).toEqual([
      { name: 'svc-local-work-dlq-not-empty', queue: 'svc-local-work-dlq', depth: 0, value: 0, state: 'OK' },
    ]);
    expect(log).toEqual([]);

    depth = 3;
    expect(await watcher.evaluate()).toBe(true);
    expect(watcher.states()[0]).toMatchObject({ depth: 3, state: 'ALARM' });
    expect(log).toEqual([
      'ALARM svc-local-work-dlq-not-empty: svc-local-work-dlq holds 3 message(s); see docs/runbooks/dlq.md',
    ]);
    const published = sns.commandCalls(PublishCommand).at(-1)!.args[0].input;
    expect(published.TopicArn).toBe(topic);
    expect(published.Subject).toBe(`ALARM: "svc-local-work-dlq-not-empty" in ${region}`);
    expect(JSON.parse(published.Message!)).toMatchObject({
      AlarmName: 'svc-local-work-dlq-not-empty',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
    });
  });

  it('reports a depth change without notifying again, and clears to OK through OKActions', async () => {
    const log: string[] = [];
    const watcher = new AlarmWatcher([dlqAlarm()], 'http://sqs.local', region, (line) => log.push(line));
    depth = 1;
    await watcher.evaluate();
    const notified = sns.commandCalls(PublishCommand).length;
    expect(await watcher.evaluate()).toBe(false);
    depth = 2;
    expect(await watcher.evaluate()).toBe(true);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(notified);

    depth = 0;
    expect(await watcher.evaluate()).toBe(true);
    expect(watcher.states()[0]).toMatchObject({ depth: 0, state: 'OK' });
    expect(log.at(-1)).toBe('OK svc-local-work-dlq-not-empty: svc-local-work-dlq is empty again');
    expect(JSON.parse(sns.commandCalls(PublishCommand).at(-1)!.args[0].input.Message!)).toMatchObject({
      NewStateValue: 'OK',
      OldStateValue: 'ALARM',
    });
  });

  it('leaves alone alarms on other metrics and queues it cannot find', async () => {
    sqs.on(GetQueueUrlCommand, { QueueName: 'missing-dlq' }).rejects(new Error('no such queue'));
    const watcher = new AlarmWatcher(
      [
        dlqAlarm({ Namespace: 'AWS/Lambda', MetricName: 'Errors' }),
        dlqAlarm({ Dimensions: [{ Name: 'QueueName', Value: 'missing-dlq' }] }),
      ],
      'http://sqs.local',
      region,
      () => {},
    );
    expect(await watcher.evaluate()).toBe(false);
    expect(watcher.states()).toEqual([]);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });
});

describe('alarmNotification', () => {
  it('is the JSON CloudWatch publishes to SNS, with the threshold crossed and the metric', () => {
    const state = { name: 'a', queue: 'svc-local-work-dlq', depth: 2, value: 2, state: 'ALARM' as const };
    const message = alarmNotification(
      dlqAlarm({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 }),
      state,
      'OK',
      region,
      new Date('2025-03-14T10:00:00.000Z'),
    );
    expect(message).toMatchObject({
      AlarmName: 'svc-local-work-dlq-not-empty',
      AWSAccountId: '000000000000',
      NewStateValue: 'ALARM',
      OldStateValue: 'OK',
      NewStateReason:
        'Threshold Crossed: 1 datapoint [2.0] was greater than or equal to the threshold (1.0).',
      StateChangeTime: '2025-03-14T10:00:00.000+0000',
      AlarmArn: `arn:aws:cloudwatch:${region}:000000000000:alarm:svc-local-work-dlq-not-empty`,
      Trigger: {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        Statistic: 'MAXIMUM',
        Dimensions: [{ name: 'QueueName', value: 'svc-local-work-dlq' }],
        Threshold: 1,
        TreatMissingData: 'missing',
      },
    });
  });
});

describe('AlarmWatcher (AWS/Lambda alarms against the hosted functions)', () => {
  const fnAlarm = (metric: string, threshold: number): AlarmDefinition => ({
    service: 'svc',
    logicalId: `Work${metric}Alarm`,
    alarmName: `svc-local-work-${metric.toLowerCase()}`,
    properties: {
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: 'svc-local-work' }],
      Period: 60,
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [topic],
    },
  });

  it('fires on errors and on slow invocations in the period, and not without invocations', async () => {
    let figures = { invocations: 0, errors: 0, maxMs: 0 };
    const windows: number[] = [];
    const log: string[] = [];
    const watcher = new AlarmWatcher(
      [fnAlarm('Errors', 0), fnAlarm('Duration', 4800), fnAlarm('Throttles', 0)],
      'http://sqs.local',
      region,
      (line) => log.push(line),
      (windowMs, functionName) => {
        windows.push(windowMs);
        return { functionName, p99Ms: figures.maxMs, ...figures };
      },
    );
    await watcher.evaluate();
    expect(watcher.states().map(({ name, state }) => ({ name, state }))).toEqual([
      { name: 'svc-local-work-errors', state: 'OK' },
      { name: 'svc-local-work-duration', state: 'OK' },
    ]);
    expect(windows).toEqual([60_000, 60_000]);

    figures = { invocations: 4, errors: 1, maxMs: 5000 };
    expect(await watcher.evaluate()).toBe(true);
    expect(watcher.states()).toEqual([
      {
        name: 'svc-local-work-errors',
        functionName: 'svc-local-work',
        metric: 'Errors',
        value: 1,
        state: 'ALARM',
      },
      {
        name: 'svc-local-work-duration',
        functionName: 'svc-local-work',
        metric: 'Duration',
        value: 5000,
        state: 'ALARM',
      },
    ]);
    expect(log).toEqual([
      "ALARM svc-local-work-errors: svc-local-work: 1 error(s) in the alarm's period",
      "ALARM svc-local-work-duration: svc-local-work: slowest invocation 5000 ms in the alarm's period",
    ]);
    const published = sns.commandCalls(PublishCommand).map((call) => JSON.parse(call.args[0].input.Message!));
    expect(published[0]).toMatchObject({ AlarmName: 'svc-local-work-errors', NewStateValue: 'ALARM' });
  });
});
