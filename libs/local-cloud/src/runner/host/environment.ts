/**
 * A hosted function's environment, as Lambda builds it: the variables its configuration declares
 * (resolved from the template, or set by UpdateFunctionConfiguration) plus what Lambda itself sets,
 * with the local emulators' endpoints and dummy credentials; and the constant part of its
 * invocation context, which names the same log group and stream.
 */
import type { Endpoints } from '../../types';
import type { FunctionModel } from '../template';

/** Environment variable names the AWS SDK reads for each local endpoint. */
const ENDPOINT_VARIABLES: Record<keyof Endpoints, string[]> = {
  dynamodb: ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_DYNAMODB_STREAMS'],
  sqs: ['AWS_ENDPOINT_URL_SQS'],
  sns: ['AWS_ENDPOINT_URL_SNS'],
  s3: ['AWS_ENDPOINT_URL_S3'],
  ses: ['AWS_ENDPOINT_URL_SES', 'AWS_ENDPOINT_URL_SESV2'],
  events: ['AWS_ENDPOINT_URL_EVENTBRIDGE'],
  lambda: ['AWS_ENDPOINT_URL_LAMBDA'],
};

const VERSION = '$LATEST';

function stringifyEnvValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A template's resolved `Environment.Variables` as Lambda passes them: every value a string. */
export function declaredVariables(resolved: Record<string, unknown> | undefined): Record<string, string> {
  const declared: Record<string, string> = {};
  for (const [key, value] of Object.entries(resolved ?? {})) declared[key] = stringifyEnvValue(value);
  return declared;
}

/**
 * The key of a function's environment group: functions of one service whose template declares the
 * same environment variables (names and resolved values) may share workers.
 */
export function environmentGroupKey(service: string, declared: Record<string, string>): string {
  const entries = Object.keys(declared)
    .sort()
    .map((key) => [key, declared[key]]);
  return JSON.stringify([service, entries]);
}

const logGroupName = (functionName: string) => `/aws/lambda/${functionName}`;
const logStreamName = (model: FunctionModel) => `local/[${VERSION}]${model.logicalId}`;

/** What Lambda itself puts in the environment, plus the local endpoints and dummy credentials. */
export function lambdaEnvironment(
  model: FunctionModel,
  region: string,
  endpoints: Partial<Endpoints> = {},
): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: model.functionName,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(model.memorySize),
    AWS_LAMBDA_FUNCTION_VERSION: VERSION,
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(model.functionName),
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName(model),
    AWS_EXECUTION_ENV: `AWS_Lambda_${model.runtime ?? 'nodejs22.x'}`,
    AWS_LAMBDA_RUNTIME_API: '127.0.0.1:9001',
    // Local emulators accept any credentials; the default provider chain finds these.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: 'local',
    LAMBDA_TASK_ROOT: model.serviceDir,
    LAMBDA_RUNTIME_DIR: model.serviceDir,
    TZ: 'UTC',
    LANG: 'en_US.UTF-8',
  };
  for (const [key, url] of Object.entries(endpoints) as [keyof Endpoints, string | undefined][]) {
    if (!url) continue;
    for (const name of ENDPOINT_VARIABLES[key] ?? []) env[name] = url;
  }
  return env;
}

/** The constant part of a function's invocation context (the worker adds the request id and deadline). */
export interface FunctionContext {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
}

export function functionContext(model: FunctionModel, functionArn: string): FunctionContext {
  return {
    functionName: model.functionName,
    functionVersion: VERSION,
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(model.memorySize),
    logGroupName: logGroupName(model.functionName),
    logStreamName: logStreamName(model),
  };
}
