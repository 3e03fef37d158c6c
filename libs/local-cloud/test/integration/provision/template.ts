// A small service template shaped like what osls packages, used by the integration suites.
import type { PackagedService } from '../../../src/types';

export const BUS_NAME = 'it-local-bus';

export function itService(dir: string): PackagedService {
  return {
    name: 'it',
    dir,
    stage: 'local',
    template: {
      AWSTemplateFormatVersion: '2010-09-09',
      Resources: {
        // Declared before its DLQ on purpose: creation order follows references.
        WorkQueue: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            QueueName: 'it-local-work',
            VisibilityTimeout: 30,
            MessageRetentionPeriod: 1209600,
            KmsMasterKeyId: 'alias/aws/sqs',
            RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['WorkDlq', 'Arn'] }, maxReceiveCount: 3 },
          },
        },
        WorkDlq: {
          Type: 'AWS::SQS::Queue',
          Properties: { QueueName: 'it-local-work-dlq', SqsManagedSseEnabled: true },
        },
        TransformedQueue: { Type: 'AWS::SQS::Queue', Properties: {} },
        EventsTable: {
          Type: 'AWS::DynamoDB::Table',
          DeletionPolicy: 'Retain',
          Properties: {
            TableName: 'it-local-events',
            BillingMode: 'PAY_PER_REQUEST',
            AttributeDefinitions: [
              { AttributeName: 'pk', AttributeType: 'S' },
              { AttributeName: 'sk', AttributeType: 'S' },
              { AttributeName: 'tenantId', AttributeType: 'S' },
            ],
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'sk', KeyType: 'RANGE' },
            ],
            GlobalSecondaryIndexes: [
              {
                IndexName: 'byTenant',
                KeySchema: [{ AttributeName: 'tenantId', KeyType: 'HASH' }],
                Projection: { ProjectionType: 'ALL' },
              },
            ],
            StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
            TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
            SSESpecification: { SSEEnabled: true },
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          },
        },
        // Named after another resource: created in its turn, after the queue, not with the others.
        DlqIndexTable: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            TableName: { 'Fn::Sub': '${WorkDlq.QueueName}-index' },
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          },
        },
        CountersTable: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            TableName: 'it-local-counters',
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          },
        },
        Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: BUS_NAME } },
        OnCreatedRule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            Name: 'it-local-on-created',
            EventBusName: { Ref: 'Bus' },
            EventPattern: { source: ['switchyard.ingest'], 'detail-type': ['ResourceCreated'] },
            State: 'ENABLED',
            Targets: [
              { Id: 'work', Arn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] } },
              {
                Id: 'transformed',
                Arn: { 'Fn::GetAtt': ['TransformedQueue', 'Arn'] },
                InputTransformer: {
                  InputPathsMap: { id: '$.detail.id', type: '$.detail-type' },
                  InputTemplate: '{"id": <id>, "label": "type <type>"}',
                },
              },
            ],
          },
        },
        BoomRule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            Name: 'it-local-boom',
            EventBusName: BUS_NAME,
            EventPattern: { 'detail-type': ['Explode'] },
            Targets: [
              {
                Id: 'boom',
                Arn: { 'Fn::GetAtt': ['BoomLambdaFunction', 'Arn'] },
                RetryPolicy: { MaximumRetryAttempts: 1 },
                DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['WorkDlq', 'Arn'] } },
              },
            ],
          },
        },
        LostRule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            Name: 'it-local-lost',
            EventBusName: BUS_NAME,
            EventPattern: { 'detail-type': ['Stray'] },
            Targets: [
              {
                Id: 'nowhere',
                Arn: 'arn:aws:sqs:us-east-1:000000000000:it-local-no-such-queue',
                RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
                DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['WorkDlq', 'Arn'] } },
              },
            ],
          },
        },
        TickRule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            ScheduleExpression: 'rate(5 minutes)',
            Targets: [{ Id: 'tick', Arn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] } }],
          },
        },
        IamRoleLambdaExecution: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'it-local-role' } },
        BoomLambdaFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            FunctionName: 'it-local-boom',
            Role: { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] },
            Environment: {
              Variables: {
                TABLE: { Ref: 'EventsTable' },
                QUEUE_URL: { Ref: 'WorkQueue' },
                BUS_ARN: {
                  'Fn::Sub':
                    'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/' + BUS_NAME,
                },
                STREAM: { 'Fn::GetAtt': ['EventsTable', 'StreamArn'] },
              },
            },
          },
        },
        AlertTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'it-local-alerts' } },
        AlertsQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'it-local-alerts' } },
        AlertSubscription: {
          Type: 'AWS::SNS::Subscription',
          Properties: {
            TopicArn: { Ref: 'AlertTopic' },
            Protocol: 'sqs',
            Endpoint: { 'Fn::GetAtt': ['AlertsQueue', 'Arn'] },
            RawMessageDelivery: true,
          },
        },
        WorkDlqAlarm: {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            Namespace: 'AWS/SQS',
            MetricName: 'ApproximateNumberOfMessagesVisible',
            Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['WorkDlq', 'QueueName'] } }],
            Threshold: 0,
            ComparisonOperator: 'GreaterThanThreshold',
            EvaluationPeriods: 1,
            Period: 60,
            Statistic: 'Maximum',
            AlarmActions: [{ Ref: 'AlertTopic' }],
          },
        },
        Uploads: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'it-local-uploads' } },
        WorkQueuePolicy: { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: [{ Ref: 'WorkQueue' }] } },
        Mystery: { Type: 'AWS::Foo::Bar', Properties: {} },
      },
    },
  };
}
