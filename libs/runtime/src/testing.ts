/**
 * Builders of the events Lambda hands our functions, for tests: SQS records and events (raw queue
 * messages or EventBridge envelopes), DynamoDB stream records and events, and a Lambda context;
 * and a reader of generated OpenAPI documents. Shaped like the real ones, with fixed defaults any
 * test can override. Imported from `@switchyard/runtime/testing`; never from function code.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { OpenApiDocument } from './openapi';
import type {
  Context,
  DynamoDBRecord,
  DynamoDBStreamEvent,
  SQSMessageAttribute,
  SQSRecord,
  SQSRecordAttributes,
  SQSEvent,
} from 'aws-lambda';

const REGION = 'eu-west-1';
const ACCOUNT = '123456789012';
const TIME = '2025-01-02T03:04:05Z';

let sqsSequence = 0;
let streamSequence = 0;

export type SqsRecordOverrides = Partial<Omit<SQSRecord, 'attributes'>> & {
  attributes?: Partial<SQSRecordAttributes>;
};

/**
 * An SQS record with `body` (a string as is, anything else as JSON). Message ids are `msg-<n>`,
 * unique within a test run; the receive count is 1 unless `attributes` says otherwise.
 */
export function sqsRecord(body: unknown, overrides: SqsRecordOverrides = {}): SQSRecord {
  sqsSequence += 1;
  const { attributes, ...rest } = overrides;
  return {
    messageId: `msg-${sqsSequence}`,
    receiptHandle: `rh-${sqsSequence}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.parse(TIME)),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.parse(TIME) + 1),
      ...attributes,
    },
    messageAttributes: {},
    md5OfBody: 'not-checked',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:switchyard-test-queue`,
    awsRegion: REGION,
    ...rest,
  };
}

/** A String message attribute, as `sendToQueue` sets `source`, `detailType` and `correlationId`. */
export function stringAttribute(value: string): SQSMessageAttribute {
  return { stringValue: value, dataType: 'String' } as SQSMessageAttribute;
}

/** The body an EventBridge rule with an SQS target delivers: the event envelope, `detail` inside. */
export function eventBridgeEnvelope(source: string, detailType: string, detail: unknown) {
  return {
    version: '0',
    id: 'eb-event-id',
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time: TIME,
    region: REGION,
    resources: [] as string[],
    detail,
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

export interface StreamRecordInput {
  keys?: Record<string, unknown>;
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
  /** Default: increasing numbers, unique within a test run. */
  sequenceNumber?: string;
}

/**
 * A DynamoDB stream record (NEW_AND_OLD_IMAGES) with marshalled images. `keys` defaults to the
 * `pk`/`sk` of the image; the event id is `ev-<sequenceNumber>`.
 */
export function streamRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  input: StreamRecordInput = {},
): DynamoDBRecord {
  streamSequence += 1;
  const sequenceNumber = input.sequenceNumber ?? String(streamSequence);
  const image = input.newImage ?? input.oldImage ?? {};
  const keys = input.keys ?? { pk: image.pk, sk: image.sk };
  const wire = (value: Record<string, unknown>) =>
    marshall(value, { removeUndefinedValues: true }) as NonNullable<DynamoDBRecord['dynamodb']>['Keys'];
  return {
    eventID: `ev-${sequenceNumber}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: REGION,
    eventSourceARN: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/switchyard-test/stream/2025-01-01T00:00:00.000`,
    dynamodb: {
      ApproximateCreationDateTime: Date.parse(TIME) / 1000,
      Keys: wire(keys),
      ...(input.newImage ? { NewImage: wire(input.newImage) } : {}),
      ...(input.oldImage ? { OldImage: wire(input.oldImage) } : {}),
      SequenceNumber: sequenceNumber,
      SizeBytes: 100,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

export function streamEvent(...records: DynamoDBRecord[]): DynamoDBStreamEvent {
  return { Records: records };
}

/** A Lambda context with 30 s left. */
export function lambdaContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'switchyard-test-fn',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:switchyard-test-fn`,
    memoryLimitInMB: '256',
    awsRequestId: 'lambda-request-id',
    logGroupName: '/aws/lambda/switchyard-test-fn',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

/** One operation of a generated OpenAPI document (./openapi.ts), as tests read it. */
export interface OpenApiOperation {
  security: unknown[];
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: unknown }> }>;
}

/** The operation of `method` (lower case) on `path`; a test fails on reading a missing one. */
export function openApiOperation(document: OpenApiDocument, path: string, method: string): OpenApiOperation {
  return document.paths[path]?.[method] as OpenApiOperation;
}

/** Every operation of a generated OpenAPI document as `METHOD /path`. */
export function documentedRoutes(document: OpenApiDocument): string[] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
  );
}
