import { addFunctionRoles } from '../../index.cjs';

function template() {
  return {
    Resources: {
      IamRoleLambdaExecution: {
        Type: 'AWS::IAM::Role',
        Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } },
      },
      ItemsTable: { Type: 'AWS::DynamoDB::Table' },
      Queue: { Type: 'AWS::SQS::Queue' },
      FailuresQueue: { Type: 'AWS::SQS::Queue' },
      WorkLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { Role: { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] } },
        DependsOn: ['WorkLogGroup', 'IamRoleLambdaExecution'],
      },
      PublishLambdaFunction: {
        Type: 'AWS::Lambda::Function',
        Properties: { Role: { 'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'] } },
      },
      WorkEventSourceMappingSQSQueue: {
        Type: 'AWS::Lambda::EventSourceMapping',
        DependsOn: ['IamRoleLambdaExecution'],
        Properties: {
          EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
          FunctionName: { 'Fn::GetAtt': ['WorkLambdaFunction', 'Arn'] },
        },
      },
      PublishEventSourceMappingDynamodbItemsTable: {
        Type: 'AWS::Lambda::EventSourceMapping',
        Properties: {
          EventSourceArn: { 'Fn::GetAtt': ['ItemsTable', 'StreamArn'] },
          FunctionName: { 'Fn::GetAtt': ['PublishLambdaFunction', 'Arn'] },
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['FailuresQueue', 'Arn'] } } },
        },
      },
    } as Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>,
  };
}

const grantItems = {
  Effect: 'Allow',
  Action: 'dynamodb:GetItem',
  Resource: { 'Fn::GetAtt': ['ItemsTable', 'Arn'] },
};

function statementsOf(role: unknown): { Action: unknown; Resource: unknown }[] {
  const props = (role as { Properties: { Policies: { PolicyDocument: { Statement: [] } }[] } }).Properties;
  return props.Policies[0]!.PolicyDocument.Statement;
}

describe('@switchyard/function-roles', () => {
  it('gives each function its own role: its log group, its event sources, its own statements', () => {
    const out = addFunctionRoles(template(), {
      functions: {
        WorkLambdaFunction: { name: 'svc-prod-work', statements: [grantItems] },
        PublishLambdaFunction: { name: 'svc-prod-publish', statements: [], tracing: true },
      },
      defaultRoleId: 'IamRoleLambdaExecution',
      policyName: (name) => name,
    });
    const r = out.Resources;
    expect(r.WorkLambdaFunction!.Properties!.Role).toEqual({ 'Fn::GetAtt': ['WorkIamRole', 'Arn'] });
    expect(r.WorkLambdaFunction!.DependsOn).toEqual(['WorkLogGroup', 'WorkIamRole']);
    expect(r.WorkEventSourceMappingSQSQueue!.DependsOn).toEqual(['WorkIamRole']);
    const work = JSON.stringify(statementsOf(r.WorkIamRole));
    expect(work).toContain('log-group:/aws/lambda/svc-prod-work:*');
    expect(work).toContain('sqs:ReceiveMessage');
    expect(work).toContain('dynamodb:GetItem');
    expect(work).not.toContain('xray:');
    const publish = JSON.stringify(statementsOf(r.PublishIamRole));
    expect(publish).toContain('dynamodb:GetRecords');
    expect(publish).toContain('"sqs:SendMessage"],"Resource":[{"Fn::GetAtt":["FailuresQueue","Arn"]}]');
    expect(publish).toContain('xray:PutTraceSegments');
    expect(publish).not.toContain('svc-prod-work');
    // Nothing uses the shared role any more.
    expect(r.IamRoleLambdaExecution).toBeUndefined();
  });

  it('leaves a function without iamStatements on the shared role, which then stays', () => {
    const out = addFunctionRoles(template(), {
      functions: {
        WorkLambdaFunction: { name: 'svc-prod-work', statements: [grantItems] },
        PublishLambdaFunction: { name: 'svc-prod-publish' },
      },
      defaultRoleId: 'IamRoleLambdaExecution',
      policyName: (name) => name,
    });
    expect(out.Resources.PublishLambdaFunction!.Properties!.Role).toEqual({
      'Fn::GetAtt': ['IamRoleLambdaExecution', 'Arn'],
    });
    expect(out.Resources.IamRoleLambdaExecution).toBeDefined();
  });
});
