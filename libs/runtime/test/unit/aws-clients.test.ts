import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ListEventBusesCommand } from '@aws-sdk/client-eventbridge';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ListEmailIdentitiesCommand } from '@aws-sdk/client-sesv2';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import {
  dynamoDbClient,
  dynamoDbDocumentClient,
  eventBridgeClient,
  hasEndpointOverride,
  resetAwsClients,
  s3Client,
  sesV2Client,
  sqsClient,
} from '../../src/aws-clients';

// Wrap every client constructor (keeping the real class) to see exactly what the factories pass.
jest.mock('@aws-sdk/client-dynamodb', () => wrap('@aws-sdk/client-dynamodb', 'DynamoDBClient'));
jest.mock('@aws-sdk/client-eventbridge', () => wrap('@aws-sdk/client-eventbridge', 'EventBridgeClient'));
jest.mock('@aws-sdk/client-s3', () => wrap('@aws-sdk/client-s3', 'S3Client'));
jest.mock('@aws-sdk/client-sesv2', () => wrap('@aws-sdk/client-sesv2', 'SESv2Client'));
jest.mock('@aws-sdk/client-sqs', () => wrap('@aws-sdk/client-sqs', 'SQSClient'));

function wrap(moduleName: string, className: string) {
  const actual = jest.requireActual(moduleName);
  const Real = actual[className];
  const Wrapped = jest.fn((config: unknown) => new Real(config));
  Object.setPrototypeOf(Wrapped.prototype, Real.prototype);
  return { ...actual, [className]: Wrapped };
}

const constructorArgs = (): Record<string, unknown>[] =>
  [
    DynamoDBClient,
    jest.requireMock('@aws-sdk/client-eventbridge').EventBridgeClient,
    jest.requireMock('@aws-sdk/client-s3').S3Client,
    jest.requireMock('@aws-sdk/client-sesv2').SESv2Client,
    jest.requireMock('@aws-sdk/client-sqs').SQSClient,
  ].flatMap((ctor) => (ctor as unknown as jest.Mock).mock.calls.map((call) => call[0]));

interface Captured {
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
}

/** Sends a command but stops it after serialisation (before signing and any network I/O). */
async function requestOf(
  client: { middlewareStack: { add: (...args: never[]) => void }; send: (c: never) => Promise<unknown> },
  command: unknown,
): Promise<Captured> {
  const stop = (() => async (args: { request: Captured }) => {
    throw Object.assign(new Error('captured'), { captured: args.request });
  }) as never;
  client.middlewareStack.add(stop, { step: 'build', name: 'captureRequest' } as never);
  try {
    await client.send(command as never);
  } catch (error) {
    const captured = (error as { captured?: Captured }).captured;
    if (captured) return captured;
    throw error;
  }
  throw new Error('request was not captured');
}

const ENV_KEYS = [
  'AWS_REGION',
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_ENDPOINT_URL_SESV2',
  'AWS_ENDPOINT_URL_S3',
  'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
];
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

beforeEach(() => {
  for (const k of ENV_KEYS) delete process.env[k];
  process.env.AWS_REGION = 'eu-west-1';
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'example-secret';
  // A developer's ~/.aws/config may set endpoint_url; point the SDK at files that do not exist.
  process.env.AWS_CONFIG_FILE = join(tmpdir(), 'switchyard-test-no-aws-config');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(tmpdir(), 'switchyard-test-no-aws-credentials');
  resetAwsClients();
  jest.clearAllMocks();
});

afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('endpoints come from the standard environment variables', () => {
  it('uses AWS_ENDPOINT_URL_<SERVICE> before AWS_ENDPOINT_URL', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://localhost:4566';
    process.env.AWS_ENDPOINT_URL_DYNAMODB = 'http://127.0.0.1:8000';
    process.env.AWS_ENDPOINT_URL_SESV2 = 'http://127.0.0.1:8005';

    const dynamo = await requestOf(dynamoDbClient(), new ListTablesCommand({}));
    expect([dynamo.protocol, dynamo.hostname, dynamo.port]).toEqual(['http:', '127.0.0.1', 8000]);

    const ses = await requestOf(sesV2Client(), new ListEmailIdentitiesCommand({}));
    expect([ses.hostname, ses.port]).toEqual(['127.0.0.1', 8005]);

    const sqs = await requestOf(sqsClient(), new ListQueuesCommand({}));
    expect([sqs.hostname, sqs.port]).toEqual(['localhost', 4566]);

    const events = await requestOf(eventBridgeClient(), new ListEventBusesCommand({}));
    expect([events.hostname, events.port]).toEqual(['localhost', 4566]);
  });

  it('falls back to the regional AWS endpoint when no variable is set', async () => {
    const req = await requestOf(dynamoDbClient(), new ListTablesCommand({}));
    expect(req.protocol).toBe('https:');
    expect(req.hostname).toBe('dynamodb.eu-west-1.amazonaws.com');
  });

  it('honours AWS_IGNORE_CONFIGURED_ENDPOINT_URLS like the SDK does', async () => {
    process.env.AWS_ENDPOINT_URL = 'http://localhost:4566';
    process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS = 'true';
    const req = await requestOf(sqsClient(), new ListQueuesCommand({}));
    expect(req.hostname).toBe('sqs.eu-west-1.amazonaws.com');
    expect(hasEndpointOverride('SQS')).toBe(false);
  });

  it('never passes an endpoint, credentials or region, and asks for standard retries', () => {
    eventBridgeClient();
    dynamoDbDocumentClient();
    sqsClient();
    s3Client();
    sesV2Client();
    const args = constructorArgs();
    expect(args).toHaveLength(5);
    for (const config of args) {
      expect(config).not.toHaveProperty('endpoint');
      expect(config).not.toHaveProperty('credentials');
      expect(config).not.toHaveProperty('region');
      expect(config).toMatchObject({ retryMode: 'standard' });
    }
    expect(dynamoDbClient().config.isCustomEndpoint).toBe(false);
  });
});

describe('credentials come from the default provider chain', () => {
  it('picks up key, secret and session token from the environment, as on Lambda', async () => {
    process.env.AWS_SESSION_TOKEN = 'session-token';
    const credentials = await eventBridgeClient().config.credentials();
    expect(credentials).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'example-secret',
      sessionToken: 'session-token',
    });
  });
});

describe('S3 path style', () => {
  it('is forced when an endpoint override is present, so emulators get /bucket/key', async () => {
    process.env.AWS_ENDPOINT_URL_S3 = 'http://127.0.0.1:9000';
    const req = await requestOf(s3Client(), new GetObjectCommand({ Bucket: 'my-bucket', Key: 'a/b.json' }));
    expect([req.hostname, req.port]).toEqual(['127.0.0.1', 9000]);
    expect(req.path).toBe('/my-bucket/a/b.json');
  });

  it('stays virtual-hosted on AWS', async () => {
    expect(s3Client().config.forcePathStyle).toBe(false);
    const req = await requestOf(s3Client(), new GetObjectCommand({ Bucket: 'my-bucket', Key: 'k' }));
    expect(req.hostname).toBe('my-bucket.s3.eu-west-1.amazonaws.com');
  });
});

describe('memoisation', () => {
  it('returns one client per process until reset', () => {
    expect(sqsClient()).toBe(sqsClient());
    expect(dynamoDbDocumentClient()).toBe(dynamoDbDocumentClient());
    const before = sqsClient();
    resetAwsClients();
    expect(sqsClient()).not.toBe(before);
  });

  it('builds the document client on the shared low-level DynamoDB client', async () => {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = 'http://127.0.0.1:8000';
    dynamoDbDocumentClient();
    expect((DynamoDBClient as unknown as jest.Mock).mock.calls).toHaveLength(1);
    expect(dynamoDbDocumentClient().config).toBe(dynamoDbClient().config);
  });
});

describe("the SDK's per-call log", () => {
  it('is left out of every client: no redacted copy of each request and response for a no-op logger', () => {
    for (const client of [eventBridgeClient(), dynamoDbClient(), sqsClient(), s3Client(), sesV2Client()]) {
      expect(client.middlewareStack.identify().some((name) => name.startsWith('loggerMiddleware'))).toBe(
        false,
      );
    }
  });
});
