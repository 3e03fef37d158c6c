import { RESERVED_ENVIRONMENT_VARIABLES } from '@switchyard/cfn-policy';
import {
  declaredVariables,
  environmentGroupKey,
  functionContext,
  lambdaEnvironment,
} from '../../../src/runner/host/environment';
import type { FunctionModel } from '../../../src/runner/template';

const model: FunctionModel = {
  service: 'svc',
  serviceDir: '/repo/services/svc',
  logicalId: 'HelloLambdaFunction',
  functionName: 'svc-local-hello',
  handler: 'src/handlers/hello.handler',
  timeoutSeconds: 6,
  memorySize: 256,
  environment: {},
};

describe("a hosted function's environment", () => {
  it('declared variables are strings, as Lambda passes them', () => {
    expect(declaredVariables({ TABLE: 'svc-local-state', RETRIES: 3, ON: true, LIST: ['a'] })).toEqual({
      TABLE: 'svc-local-state',
      RETRIES: '3',
      ON: 'true',
      LIST: '["a"]',
    });
    expect(declaredVariables(undefined)).toEqual({});
  });

  it("Lambda's own variables, the local endpoints every SDK client reads, and nothing else", () => {
    const env = lambdaEnvironment(model, 'eu-west-1', {
      dynamodb: 'http://127.0.0.1:8000',
      ses: 'http://127.0.0.1:8005',
    });
    expect(env).toMatchObject({
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'svc-local-hello',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/svc-local-hello',
      AWS_LAMBDA_LOG_STREAM_NAME: 'local/[$LATEST]HelloLambdaFunction',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: '/repo/services/svc',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_SES: 'http://127.0.0.1:8005',
      AWS_ENDPOINT_URL_SESV2: 'http://127.0.0.1:8005',
    });
    expect(env.AWS_ENDPOINT_URL_SQS).toBeUndefined();
    // Everything it sets is Lambda's to set (or an endpoint, TZ, LANG): none of it a function may declare.
    const ours = Object.keys(env).filter(
      (name) => !name.startsWith('AWS_ENDPOINT_URL_') && name !== 'TZ' && name !== 'LANG',
    );
    expect(ours.filter((name) => !RESERVED_ENVIRONMENT_VARIABLES.has(name))).toEqual([]);
  });

  it('the invocation context names the same log group and stream as the environment', () => {
    const env = lambdaEnvironment(model, 'eu-west-1');
    const arn = 'arn:aws:lambda:eu-west-1:000000000000:function:svc-local-hello';
    expect(functionContext(model, arn)).toEqual({
      functionName: 'svc-local-hello',
      functionVersion: '$LATEST',
      invokedFunctionArn: arn,
      memoryLimitInMB: '256',
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    });
  });

  it('groups functions by service and declared variables, whatever their order', () => {
    expect(environmentGroupKey('s', { A: '1', B: '2' })).toBe(environmentGroupKey('s', { B: '2', A: '1' }));
    expect(environmentGroupKey('s', { A: '1' })).not.toBe(environmentGroupKey('s', { A: '2' }));
  });
});
