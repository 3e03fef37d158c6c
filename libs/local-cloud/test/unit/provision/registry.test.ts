import { creationOrder, queueAttributes } from '../../../src/provision';
import { Registry, referencedIds } from '../../../src/provision/registry';

function registry(): Registry {
  const r = new Registry({ region: 'eu-west-1', accountId: '000000000000' });
  r.addStack('svc', {
    stackName: 'svc-dev',
    template: {
      Resources: {},
      Parameters: { Stage: { Default: 'dev' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
    },
  });
  r.set('svc', {
    logicalId: 'Queue',
    type: 'AWS::SQS::Queue',
    ref: 'http://127.0.0.1:1/000000000000/q',
    attributes: { Arn: 'arn:aws:sqs:eu-west-1:000000000000:q', QueueName: 'q' },
  });
  r.set('svc', {
    logicalId: 'Table',
    type: 'AWS::DynamoDB::Table',
    ref: 'items',
    attributes: { Arn: 'arn:t' },
  });
  return r;
}

describe('intrinsic resolution', () => {
  it('resolves Ref, Fn::GetAtt in both forms, and pseudo-parameters', () => {
    const r = registry();
    expect(
      r.resolve('svc', {
        url: { Ref: 'Queue' },
        arn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
        name: { 'Fn::GetAtt': 'Queue.QueueName' },
        region: { Ref: 'AWS::Region' },
        stack: { Ref: 'AWS::StackName' },
        stage: { Ref: 'Stage' },
        dropped: { Ref: 'AWS::NoValue' },
        list: ['a', { Ref: 'AWS::NoValue' }],
      }),
    ).toEqual({
      url: 'http://127.0.0.1:1/000000000000/q',
      arn: 'arn:aws:sqs:eu-west-1:000000000000:q',
      name: 'q',
      region: 'eu-west-1',
      stack: 'svc-dev',
      stage: 'dev',
      list: ['a'],
    });
  });

  it('resolves Fn::Sub with pseudo-parameters, resource attributes, locals and escapes', () => {
    const r = registry();
    expect(
      r.resolve('svc', {
        'Fn::Sub':
          'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${AWS::StackName}-bus ${Queue.QueueName} ${Table} ${AWS::URLSuffix} ${!Literal}',
      }),
    ).toBe('arn:aws:events:eu-west-1:000000000000:event-bus/svc-dev-bus q items amazonaws.com ${Literal}');
    expect(r.resolve('svc', { 'Fn::Sub': ['${Name}-x', { Name: { Ref: 'Table' } }] })).toBe('items-x');
  });

  it('resolves Fn::Join, Fn::Select, Fn::Split and Fn::If', () => {
    const r = registry();
    expect(r.resolve('svc', { 'Fn::Join': ['/', ['a', { Ref: 'Table' }]] })).toBe('a/items');
    expect(
      r.resolve('svc', { 'Fn::Select': [1, { 'Fn::Split': [':', { 'Fn::GetAtt': ['Queue', 'Arn'] }] }] }),
    ).toBe('aws');
    expect(r.resolve('svc', { 'Fn::If': ['IsProd', 'big', 'small'] })).toBe('small');
  });

  it("resolves Fn::ImportValue from another stack's exported output, in that stack", () => {
    const r = registry();
    r.addStack('exporter', {
      stackName: 'exporter-dev',
      template: {
        Resources: {},
        Outputs: {
          Issuer: {
            Value: { 'Fn::Join': ['', ['https://issuer/', { Ref: 'AWS::StackName' }]] },
            Export: { Name: { 'Fn::Sub': 'switchyard-${AWS::Region}-issuer' } },
          },
          Internal: { Value: 'not exported' },
        },
      },
    });
    expect(r.resolve('svc', { 'Fn::ImportValue': 'switchyard-eu-west-1-issuer' })).toBe(
      'https://issuer/exporter-dev',
    );
    expect(r.resolve('svc', { 'Fn::ImportValue': { 'Fn::Sub': 'switchyard-${AWS::Region}-issuer' } })).toBe(
      'https://issuer/exporter-dev',
    );
  });

  it('fails clearly on what it cannot resolve', () => {
    const r = registry();
    expect(() => r.resolve('svc', { 'Fn::ImportValue': 'shared-bus-arn' })).toThrow(
      /Fn::ImportValue shared-bus-arn: no running service exports it/,
    );
    expect(() => r.resolve('svc', { Ref: 'Nope' })).toThrow(/svc: Ref Nope/);
    expect(() => r.resolve('svc', { 'Fn::GetAtt': ['Table', 'StreamArn'] })).toThrow(
      /no attribute StreamArn/,
    );
    expect(() => r.resolve('svc', { 'Fn::Select': [5, ['a']] })).toThrow(/out of range/);
  });
});

describe('creation order', () => {
  it('puts referenced resources (Ref, GetAtt, Sub, DependsOn) first', () => {
    const order = creationOrder({
      Rule: {
        Type: 'AWS::Events::Rule',
        Properties: { Targets: [{ Arn: { 'Fn::GetAtt': ['Queue', 'Arn'] } }] },
      },
      Queue: {
        Type: 'AWS::SQS::Queue',
        Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::Sub': '${Dlq.Arn}' } } },
      },
      Dlq: { Type: 'AWS::SQS::Queue', DependsOn: 'Table' },
      Table: { Type: 'AWS::DynamoDB::Table' },
    });
    expect(order).toEqual(['Table', 'Dlq', 'Queue', 'Rule']);
  });

  it('finds references in nested values', () => {
    expect([
      ...referencedIds({
        a: [{ Ref: 'A' }, { 'Fn::Sub': ['${B}-${AWS::Region}-${C.Arn}', { D: { Ref: 'E' } }] }],
      }),
    ]).toEqual(['A', 'B', 'C', 'E']);
  });
});

describe('queue attributes', () => {
  it('maps CloudFormation properties to SQS attributes and drops encryption settings', () => {
    expect(
      queueAttributes({
        QueueName: 'q.fifo',
        FifoQueue: true,
        VisibilityTimeout: 30,
        RedrivePolicy: { deadLetterTargetArn: 'arn:dlq', maxReceiveCount: 3 },
        KmsMasterKeyId: 'alias/aws/sqs',
        SqsManagedSseEnabled: true,
      }),
    ).toEqual({
      FifoQueue: 'true',
      VisibilityTimeout: '30',
      RedrivePolicy: '{"deadLetterTargetArn":"arn:dlq","maxReceiveCount":3}',
    });
  });
});
