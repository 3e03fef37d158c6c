import { functionNameFromArn, readServiceModel, referencedLogicalId } from '../../../src/runner/template';
import type { CloudFormationTemplate } from '../../../src/packaging';

// Shapes as osls 4 emits them (trimmed from the fixture service's packaged template).
const template: CloudFormationTemplate = {
  Resources: {
    HelloLambdaFunction: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Handler: 'src/handlers/hello.handler',
        Runtime: 'nodejs22.x',
        FunctionName: 'sample-local-hello',
        MemorySize: 256,
        Timeout: 2,
        Environment: { Variables: { SERVICE_NAME: 'sample', TABLE_NAME: { Ref: 'ItemsTable' } } },
      },
    },
    BareLambdaFunction: {
      Type: 'AWS::Lambda::Function',
      Properties: { Handler: 'src/handlers/bare.handler' },
    },
    HttpApiAuthorizerJwtAuth: {
      Type: 'AWS::ApiGatewayV2::Authorizer',
      Properties: {
        ApiId: { Ref: 'HttpApi' },
        Name: 'jwtAuth',
        IdentitySource: ['$request.header.Authorization'],
        AuthorizerType: 'JWT',
        JwtConfiguration: { Audience: ['aud-1'], Issuer: 'https://issuer.test' },
      },
    },
    HttpApiIntegrationHello: {
      Type: 'AWS::ApiGatewayV2::Integration',
      Properties: {
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: { 'Fn::GetAtt': ['HelloLambdaFunction', 'Arn'] },
        PayloadFormatVersion: '2.0',
        TimeoutInMillis: 30000,
      },
    },
    HttpApiRouteGetHelloNameVar: {
      Type: 'AWS::ApiGatewayV2::Route',
      Properties: {
        RouteKey: 'GET /hello/{name}',
        Target: { 'Fn::Join': ['/', ['integrations', { Ref: 'HttpApiIntegrationHello' }]] },
      },
    },
    HttpApiRouteDefault: {
      Type: 'AWS::ApiGatewayV2::Route',
      Properties: {
        RouteKey: '$default',
        Target: { 'Fn::Join': ['/', ['integrations', { Ref: 'HttpApiIntegrationHello' }]] },
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: 'HttpApiAuthorizerJwtAuth' },
        AuthorizationScopes: ['read'],
      },
    },
    WorkQueue: { Type: 'AWS::SQS::Queue', Properties: {} },
    ItemsTable: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    ConsumeMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        BatchSize: 5,
        MaximumBatchingWindowInSeconds: 1,
        ScalingConfig: { MaximumConcurrency: 8 },
        EventSourceArn: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] },
        FunctionName: { 'Fn::GetAtt': ['HelloLambdaFunction', 'Arn'] },
        Enabled: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      },
    },
    StreamMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        BatchSize: 10,
        EventSourceArn: { 'Fn::GetAtt': ['ItemsTable', 'StreamArn'] },
        FunctionName: { 'Fn::GetAtt': ['BareLambdaFunction', 'Arn'] },
        StartingPosition: 'TRIM_HORIZON',
        MaximumRetryAttempts: 1,
        BisectBatchOnFunctionError: true,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] } } },
        FilterCriteria: {
          Filters: [{ Pattern: '{"eventName":["INSERT"]}' }, { Pattern: { eventName: ['REMOVE'] } }],
        },
        Enabled: false,
      },
    },
  },
};

describe('service model', () => {
  const model = readServiceModel({ name: 'sample', dir: '/svc', template });

  it('reads functions with Lambda defaults and unresolved environment', () => {
    expect(model.functions).toEqual([
      {
        service: 'sample',
        serviceDir: '/svc',
        logicalId: 'HelloLambdaFunction',
        functionName: 'sample-local-hello',
        handler: 'src/handlers/hello.handler',
        runtime: 'nodejs22.x',
        timeoutSeconds: 2,
        memorySize: 256,
        environment: { SERVICE_NAME: 'sample', TABLE_NAME: { Ref: 'ItemsTable' } },
      },
      expect.objectContaining({
        logicalId: 'BareLambdaFunction',
        functionName: 'sample-BareLambdaFunction',
        timeoutSeconds: 6,
        memorySize: 128,
        environment: {},
      }),
    ]);
  });

  it('follows routes through their integration to the function, with JWT authorizers', () => {
    expect(model.routes).toEqual([
      expect.objectContaining({
        routeKey: 'GET /hello/{name}',
        method: 'GET',
        path: '/hello/{name}',
        functionLogicalId: 'HelloLambdaFunction',
        authorizationType: 'NONE',
        timeoutInMillis: 30000,
        payloadFormatVersion: '2.0',
      }),
      expect.objectContaining({
        routeKey: '$default',
        method: 'ANY',
        path: undefined,
        authorizationType: 'JWT',
        authorizationScopes: ['read'],
        authorizer: {
          logicalId: 'HttpApiAuthorizerJwtAuth',
          name: 'jwtAuth',
          issuer: 'https://issuer.test',
          audience: ['aud-1'],
          identitySource: ['$request.header.Authorization'],
        },
      }),
    ]);
  });

  it('reads event source mappings and classifies their sources', () => {
    expect(model.eventSourceMappings).toEqual([
      expect.objectContaining({
        logicalId: 'ConsumeMapping',
        kind: 'sqs',
        sourceLogicalId: 'WorkQueue',
        functionLogicalId: 'HelloLambdaFunction',
        batchSize: 5,
        maximumBatchingWindowInSeconds: 1,
        maximumConcurrency: 8,
        functionResponseTypes: ['ReportBatchItemFailures'],
        bisectBatchOnFunctionError: false,
        filterPatterns: [],
        enabled: true,
      }),
      expect.objectContaining({
        logicalId: 'StreamMapping',
        kind: 'dynamodb',
        sourceLogicalId: 'ItemsTable',
        startingPosition: 'TRIM_HORIZON',
        maximumRetryAttempts: 1,
        bisectBatchOnFunctionError: true,
        onFailureDestination: { 'Fn::GetAtt': ['WorkQueue', 'Arn'] },
        filterPatterns: ['{"eventName":["INSERT"]}', '{"eventName":["REMOVE"]}'],
        enabled: false,
      }),
    ]);
  });

  it('finds logical ids and function names in references', () => {
    expect(referencedLogicalId({ Ref: 'A' })).toBe('A');
    expect(referencedLogicalId({ 'Fn::GetAtt': 'B.Arn' })).toBe('B');
    expect(referencedLogicalId({ 'Fn::Join': ['/', ['integrations', { Ref: 'C' }]] })).toBe('C');
    expect(referencedLogicalId('literal')).toBeUndefined();
    expect(functionNameFromArn('arn:aws:lambda:us-east-1:000000000000:function:fn-1:$LATEST')).toBe('fn-1');
    expect(functionNameFromArn('fn-2')).toBe('fn-2');
  });
});
