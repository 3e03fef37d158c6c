/* eslint-disable @typescript-eslint/no-require-imports -- the SDK modules most functions never use load on first use */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type * as S3 from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type * as SESv2 from '@aws-sdk/client-sesv2';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type * as SQS from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The S3, SQS and SESv2 modules, loaded when a function first uses them rather than when it loads:
 * every function is built from this package, few use those services, and loading one costs a cold
 * start 10-60 ms of CPU and a few MB. Commands come from here too (`s3Sdk().GetObjectCommand`).
 */
export const s3Sdk = (): typeof S3 => require('@aws-sdk/client-s3') as typeof S3;
export const sqsSdk = (): typeof SQS => require('@aws-sdk/client-sqs') as typeof SQS;
export const sesV2Sdk = (): typeof SESv2 => require('@aws-sdk/client-sesv2') as typeof SESv2;

/**
 * One SDK client per service and process, created on first use and reused across invocations
 * (connection reuse is most of a warm Lambda's speed).
 *
 * Deliberately absent from every constructor:
 * - `credentials`: the default provider chain finds the Lambda role's temporary credentials (key, secret
 *   AND session token) and the local cloud's dummy ones. Passing any explicit value, even an empty one,
 *   would override the chain.
 * - `endpoint`: the SDK itself reads `AWS_ENDPOINT_URL_<SERVICE_ID>` (e.g. `AWS_ENDPOINT_URL_DYNAMODB`,
 *   `AWS_ENDPOINT_URL_SESV2`) and then `AWS_ENDPOINT_URL` (@smithy/core endpoints `getEndpointUrlConfig`),
 *   so the local cloud redirects clients by setting variables, not by code paths.
 * - `region`: the default chain (`AWS_REGION`, set by Lambda and by the local cloud).
 */
const common = { retryMode: 'standard', maxAttempts: 3 } as const;

/**
 * The SDK's logger middleware builds a redacted copy of every request and every response (walking the
 * whole item, batch or stream page) on each call, even when no logger is configured, and hands it to
 * a no-op logger. No client here has a logger, so the middleware is removed: same calls, same results,
 * no copies (about 2% of a warm function's CPU on ingest's write path). Pass a `logger` to a client of
 * your own if you want the SDK's per-call log.
 */
export function withoutSdkCallLog<T extends { middlewareStack: { remove(name: string): boolean } }>(
  client: T,
): T {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

let eventBridge: EventBridgeClient | undefined;
let dynamoDb: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let sqs: SQSClient | undefined;
let s3: S3Client | undefined;
let sesv2: SESv2Client | undefined;

export function eventBridgeClient(): EventBridgeClient {
  eventBridge ??= withoutSdkCallLog(new EventBridgeClient({ ...common }));
  return eventBridge;
}

/** The low-level client (AttributeValue maps); Powertools idempotency needs this one. */
export function dynamoDbClient(): DynamoDBClient {
  dynamoDb ??= withoutSdkCallLog(new DynamoDBClient({ ...common }));
  return dynamoDb;
}

/** Plain JS objects in and out; `undefined` attributes are dropped instead of failing the call. */
export function dynamoDbDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(dynamoDbClient(), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return documentClient;
}

export function sqsClient(): SQSClient {
  sqs ??= withoutSdkCallLog(new (sqsSdk().SQSClient)({ ...common }));
  return sqs;
}

export function s3Client(): S3Client {
  // Local emulators serve buckets under a path (http://host:port/bucket/key), not as a
  // virtual-hosted subdomain, so path style is forced whenever the endpoint is overridden.
  s3 ??= withoutSdkCallLog(new (s3Sdk().S3Client)({ ...common, forcePathStyle: hasEndpointOverride('S3') }));
  return s3;
}

export function sesV2Client(): SESv2Client {
  sesv2 ??= withoutSdkCallLog(new (sesV2Sdk().SESv2Client)({ ...common }));
  return sesv2;
}

/**
 * True when the SDK will send this service's calls to an overridden endpoint, judged by the same
 * variables the SDK reads. `serviceId` as the SDK spells it ('S3', 'DynamoDB', 'SESv2', ...).
 */
export function hasEndpointOverride(serviceId: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (/^(1|true)$/i.test(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS ?? '')) return false;
  const serviceVar = `AWS_ENDPOINT_URL_${serviceId.split(' ').join('_').toUpperCase()}`;
  return Boolean(env[serviceVar] || env.AWS_ENDPOINT_URL);
}

/** Forget the memoised clients, so tests can change the environment and build fresh ones. */
export function resetAwsClients(): void {
  eventBridge = undefined;
  dynamoDb = undefined;
  documentClient = undefined;
  sqs = undefined;
  s3 = undefined;
  sesv2 = undefined;
}
