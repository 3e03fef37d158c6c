import { checkTemplate, isDevStage } from '../../src';
import type { CloudFormationTemplate } from '../../src';

// Small templates for the reference shapes the fixtures do not cover: ARN strings, Fn::Sub, JSON-text
// properties, standalone IAM policies and $or patterns. Schema validation is off: these are partial,
// and so are their alarms: the monitoring rules (every function's alarms, the central alert topic)
// are proven by the fixtures and the monitoring tests below, not here.
const MONITORING_RULES = /^monitoring-|^alarm-central-topic$/;
const check = (
  resources: CloudFormationTemplate['Resources'],
  contracts = [] as { source: string; detailType: string }[],
) =>
  checkTemplate({ Resources: resources }, { stage: 'prod', contracts, schema: false })
    .filter(({ rule }) => !MONITORING_RULES.test(rule))
    .map(({ rule, resource }) => ({ rule, resource }));

const alarmOn = (value: unknown) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: value }],
    AlarmActions: [{ Ref: 'Topic' }],
  },
});

describe('SQS references', () => {
  it('follows queues named in literal and Fn::Sub ARNs and a RedrivePolicy given as JSON text', () => {
    expect(
      check({
        Work: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            QueueName: 'work',
            RedrivePolicy: JSON.stringify({
              deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:work-dlq',
              maxReceiveCount: 3,
            }),
          },
        },
        Dlq: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'work-dlq' } },
        Mapping: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: {
            EventSourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:work' },
          },
        },
      }),
    ).toEqual([{ rule: 'sqs-dlq-alarm', resource: 'Dlq' }]);
  });

  it('accepts a metric-math alarm whose dimension is the DLQ name through Fn::Sub', () => {
    expect(
      check({
        Work: {
          Type: 'AWS::SQS::Queue',
          Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::Sub': '${Dlq.Arn}' } } },
        },
        Dlq: { Type: 'AWS::SQS::Queue' },
        Mapping: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: { EventSourceArn: { 'Fn::GetAtt': 'Work.Arn' } },
        },
        Alarm: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            AlarmActions: ['arn:aws:sns:us-east-1:123456789012:alerts'],
            Metrics: [
              {
                Id: 'm1',
                MetricStat: {
                  Metric: {
                    Namespace: 'AWS/SQS',
                    MetricName: 'ApproximateNumberOfMessagesVisible',
                    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::Sub': '${Dlq.QueueName}' } }],
                  },
                },
              },
            ],
          },
        },
      }),
    ).toEqual([]);
  });

  it('rejects an alarm on another queue than the DLQ', () => {
    expect(
      check({
        Work: {
          Type: 'AWS::SQS::Queue',
          Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } },
        },
        Dlq: { Type: 'AWS::SQS::Queue' },
        Alarm: alarmOn({ 'Fn::GetAtt': ['Work', 'QueueName'] }),
      }),
    ).toEqual([{ rule: 'sqs-dlq-alarm', resource: 'Dlq' }]);
  });

  it('treats a stream on-failure destination and a bus target dead-letter queue as DLQs', () => {
    expect(
      check({
        StreamFailures: { Type: 'AWS::SQS::Queue' },
        RuleDlq: { Type: 'AWS::SQS::Queue' },
        Mapping: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: {
            EventSourceArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2025',
            DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['StreamFailures', 'Arn'] } } },
          },
        },
        Rule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            EventPattern: { source: ['aws.s3'] },
            Targets: [
              {
                Id: 't',
                Arn: 'arn:aws:lambda:us-east-1:1:function:f',
                DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RuleDlq', 'Arn'] } },
                RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
              },
            ],
          },
        },
      }),
    ).toEqual([
      { rule: 'sqs-dlq-alarm', resource: 'StreamFailures' },
      { rule: 'sqs-dlq-alarm', resource: 'RuleDlq' },
    ]);
  });

  const dlqWithAlarm = (alarm: Record<string, unknown>) => ({
    Work: {
      Type: 'AWS::SQS::Queue',
      Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } } },
    },
    Dlq: { Type: 'AWS::SQS::Queue' },
    Topic: { Type: 'AWS::SNS::Topic' },
    Fn: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x', Architectures: ['arm64'] } },
    Alarm: {
      ...alarmOn({ 'Fn::GetAtt': ['Dlq', 'QueueName'] }),
      Properties: {
        ...alarmOn({ 'Fn::GetAtt': ['Dlq', 'QueueName'] }).Properties,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        ...alarm,
      },
    },
  });

  it('accepts a DLQ alarm that fires above 0 and notifies an SNS topic', () => {
    expect(check(dlqWithAlarm({}))).toEqual([]);
    expect(
      check(dlqWithAlarm({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 1 })),
    ).toEqual([]);
  });

  it('rejects a DLQ alarm that only notifies something other than SNS', () => {
    const [violation] = checkTemplate(
      { Resources: dlqWithAlarm({ AlarmActions: [{ Ref: 'Fn' }, 'arn:aws:automate:us-east-1:ec2:stop'] }) },
      { stage: 'prod', contracts: [], schema: false },
    );
    expect(violation).toMatchObject({ rule: 'sqs-dlq-alarm', resource: 'Dlq' });
    expect(violation?.message).toMatch(/SNS topic/);
  });

  it('rejects a DLQ alarm that does not fire on the first message', () => {
    const [violation] = checkTemplate(
      { Resources: dlqWithAlarm({ Threshold: 10 }) },
      { stage: 'prod', contracts: [], schema: false },
    );
    expect(violation).toMatchObject({ rule: 'sqs-dlq-alarm', resource: 'Dlq' });
    expect(violation?.message).toMatch(/first message/);
  });

  it('rejects consuming a queue another stack owns', () => {
    expect(
      check({
        Mapping: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: { EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:someone-elses' },
        },
      }),
    ).toEqual([{ rule: 'sqs-consumer-dlq', resource: 'Mapping' }]);
  });
});

describe('IAM wildcards', () => {
  const policy = (statement: unknown) => ({
    Policy: {
      Type: 'AWS::IAM::Policy',
      Properties: { PolicyName: 'p', PolicyDocument: { Statement: statement } },
    },
  });

  it('allows "*" only for actions without resource-level permissions, in any case', () => {
    expect(
      check(
        policy({
          Effect: 'Allow',
          Action: ['XRay:PutTraceSegments', 'cloudwatch:PutMetricData'],
          Resource: '*',
        }),
      ),
    ).toEqual([]);
  });

  it.each([
    ['a scopable action', { Effect: 'Allow', Action: 'ses:SendEmail', Resource: ['*'] }],
    ['a service wildcard', { Effect: 'Allow', Action: 'xray:*', Resource: '*' }],
    ['logs:CreateLogGroup', { Effect: 'Allow', Action: ['logs:CreateLogGroup'], Resource: '*' }],
    [
      'an ARN with every resource',
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::Sub': 'arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:*' },
      },
    ],
    ['NotAction', { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
    [
      'NotResource',
      { Effect: 'Allow', Action: 'dynamodb:GetItem', NotResource: 'arn:aws:dynamodb:us-east-1:1:table/x' },
    ],
  ])('rejects %s', (_name, statement) => {
    expect(check({ ...policy([statement]) })).toEqual([
      { rule: 'iam-wildcard-resource', resource: 'Policy' },
    ]);
  });

  it('ignores Deny statements, which only narrow', () => {
    expect(check(policy([{ Effect: 'Deny', Action: 's3:*', Resource: '*' }]))).toEqual([]);
  });

  it('checks managed policies too', () => {
    const managed = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] },
      },
    };
    expect(check({ Managed: managed })).toEqual([{ rule: 'iam-wildcard-resource', resource: 'Managed' }]);
  });
});

describe('event rules against contracts', () => {
  const contracts = [
    { source: 'switchyard.billing', detailType: 'InvoicePaid' },
    { source: 'switchyard.identity', detailType: 'TenantCreated' },
  ];
  const rule = (pattern: unknown) => ({
    Rule: { Type: 'AWS::Events::Rule', Properties: { EventPattern: pattern } },
  });

  it('checks each branch of a top-level $or, patterns given as JSON text included', () => {
    const pattern = JSON.stringify({
      $or: [
        { source: ['switchyard.billing'], 'detail-type': ['InvoicePaid'] },
        { source: ['switchyard.identity'], 'detail-type': ['InvoicePaid'] },
      ],
    });
    expect(check(rule(pattern), contracts)).toEqual([{ rule: 'events-contract', resource: 'Rule' }]);
  });

  it('rejects a switchyard source no contract has and prefix matchers on our sources', () => {
    expect(check(rule({ source: ['switchyard.nope'] }), contracts)).toEqual([
      { rule: 'events-contract', resource: 'Rule' },
    ]);
    expect(check(rule({ source: [{ prefix: 'switchyard.' }] }), contracts)).toEqual([
      { rule: 'events-contract', resource: 'Rule' },
    ]);
  });

  it('leaves rules on AWS sources and schedules alone', () => {
    expect(check(rule({ source: ['aws.s3'], 'detail-type': ['Object Created'] }), contracts)).toEqual([]);
    expect(
      check(
        { Schedule: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 hour)' } } },
        contracts,
      ),
    ).toEqual([]);
  });
});

describe('dev-like stages', () => {
  it.each([
    ['local', true],
    ['dev', true],
    ['test', true],
    ['pr-123', true],
    ['prod', false],
    ['staging', false],
    ['pr-', false],
    ['develop', false],
  ])('%s is dev-like: %s', (stage, expected) => {
    expect(isDevStage(stage)).toBe(expected);
  });
});

describe('monitoring', () => {
  const central = { 'Fn::ImportValue': 'switchyard-prod-alert-topic-arn' };
  const lambdaAlarm = (metric: string, value: unknown, actions: unknown[] = [central]) => ({
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: value }],
      AlarmActions: actions,
    },
  });
  const monitoring = (resources: CloudFormationTemplate['Resources'], service?: string) =>
    checkTemplate({ Resources: resources }, { stage: 'prod', contracts: [], schema: false, service })
      .filter(({ rule }) => /^monitoring-|^alarm-central-topic$/.test(rule))
      .map(({ rule, resource, message }) => ({ rule, resource, message }));

  it('accepts alarms naming a function by its literal name, and says which metric is missing', () => {
    const fn = { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'svc-prod-work' } };
    expect(
      monitoring({
        Fn: fn,
        E: lambdaAlarm('Errors', 'svc-prod-work'),
        T: lambdaAlarm('Throttles', { Ref: 'Fn' }),
      }),
    ).toEqual([
      { rule: 'monitoring-function-alarms', resource: 'Fn', message: 'has no Duration (AWS/Lambda) alarm' },
    ]);
  });

  it('finds stream consumers by a literal stream ARN and wants their alarms on the central topic', () => {
    const violations = monitoring({
      Fn: { Type: 'AWS::Lambda::Function' },
      E: lambdaAlarm('Errors', { Ref: 'Fn' }),
      T: lambdaAlarm('Throttles', { Ref: 'Fn' }),
      D: lambdaAlarm('Duration', { Ref: 'Fn' }),
      Age: lambdaAlarm('IteratorAge', { Ref: 'Fn' }, ['arn:aws:sns:us-east-1:1:mine']),
      Mapping: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          FunctionName: { Ref: 'Fn' },
          EventSourceArn: 'arn:aws:dynamodb:us-east-1:1:table/t/stream/2025',
        },
      },
    });
    expect(violations.map(({ rule, resource }) => ({ rule, resource }))).toEqual([
      { rule: 'monitoring-stream-consumer-alarms', resource: 'Fn' },
      { rule: 'alarm-central-topic', resource: 'Age' },
    ]);
    expect(violations[0]?.message).toMatch(/does not notify the central alert topic/);
  });

  it('lets the platform notify its own alert topic, and nobody else', () => {
    const resources = {
      AlertTopic: { Type: 'AWS::SNS::Topic' },
      ApiAlarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', AlarmActions: [{ Ref: 'AlertTopic' }] },
      },
    };
    expect(monitoring(resources, 'platform')).toEqual([]);
    expect(monitoring(resources, 'ingest').map(({ rule }) => rule)).toEqual(['alarm-central-topic']);
  });
});
