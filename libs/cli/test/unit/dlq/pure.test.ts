import { decodeMessage } from '../../../src/dlq/decode';
import { findDeadLetterQueues, functionNameOf, parseRedrivePolicy } from '../../../src/dlq/discovery';
import type { QueueFacts } from '../../../src/dlq/discovery';
import { FilterError, describeFilter, isEmptyFilter, matches, parseFilters } from '../../../src/dlq/filter';
import { RateLimiter } from '../../../src/dlq/rate';

const header = {
  version: 1,
  id: 'evt-1',
  time: '2025-03-14T10:00:00.000Z',
  tenantId: 'ten_1',
  correlationId: 'corr-1',
};
const keyCreated = {
  ...header,
  keyId: 'key_1',
  role: 'admin',
  status: 'active',
  secretHash: 'a'.repeat(64),
  createdAt: '2025-03-14T10:00:00.000Z',
  createdBy: 'usr_1',
  environment: 'test',
  display: 'sy_test_key_1…',
};
const envelope = (detailType: string, detail: unknown, source = 'switchyard.identity') => ({
  version: '0',
  id: 'eb-1',
  'detail-type': detailType,
  source,
  account: '000000000000',
  time: '2025-03-14T10:00:00Z',
  region: 'us-east-1',
  resources: [],
  detail,
});
const sent = (iso: string) => ({ SentTimestamp: String(Date.parse(iso)), ApproximateReceiveCount: '6' });

describe('decodeMessage', () => {
  it('reads an EventBridge envelope: detail-type, tenant, event id, receive count, sent time', () => {
    const decoded = decodeMessage({
      MessageId: 'm-1',
      Body: JSON.stringify(
        envelope('ApiKeyRevoked', { ...header, keyId: 'key_1', revokedAt: header.time, revokedBy: 'usr_1' }),
      ),
      Attributes: sent('2025-03-14T10:00:01.000Z'),
    });
    expect(decoded).toMatchObject({
      messageId: 'm-1',
      kind: 'event',
      source: 'switchyard.identity',
      detailType: 'ApiKeyRevoked',
      version: 1,
      eventId: 'evt-1',
      tenantId: 'ten_1',
      correlationId: 'corr-1',
      receiveCount: 6,
      sentAt: '2025-03-14T10:00:01.000Z',
    });
  });

  it('says when a message does not match its contract, or names no known contract', () => {
    const invalid = decodeMessage({
      MessageId: 'm',
      Body: JSON.stringify(envelope('ApiKeyRevoked', { ...header })),
    });
    expect(invalid.contract).toBe('invalid');
    expect(invalid.problem).toMatch(/^does not match its contract: /);
    const unknown = decodeMessage({ MessageId: 'm', Body: JSON.stringify(envelope('NoSuchThing', header)) });
    expect(unknown).toMatchObject({
      contract: 'unknown',
      problem: 'no contract for switchyard.identity/NoSuchThing version 1',
    });
    expect(decodeMessage({ MessageId: 'm', Body: 'not json' })).toMatchObject({
      kind: 'unknown',
      problem: 'body is not JSON',
    });
  });

  it('reads a raw queue message by its source and detailType attributes', () => {
    const decoded = decodeMessage({
      MessageId: 'm-2',
      Body: JSON.stringify({ ...header, subscriptionId: 'whs_1', eventId: 'evt_9', attempt: 1 }),
      MessageAttributes: {
        source: { StringValue: 'switchyard.delivery', DataType: 'String' },
        detailType: { StringValue: 'DeliveryRequested', DataType: 'String' },
      },
    });
    expect(decoded).toMatchObject({
      kind: 'message',
      detailType: 'DeliveryRequested',
      eventId: 'evt-1',
      tenantId: 'ten_1',
    });
  });

  it("reads Lambda's stream failure record as a batch, not a message", () => {
    const decoded = decodeMessage({
      MessageId: 'f-1',
      Body: JSON.stringify({
        requestContext: {
          functionArn: 'arn:aws:lambda:us-east-1:1:function:ingest-local-countUsage',
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 11,
        },
        responseContext: { statusCode: 200, functionError: 'Unhandled' },
        version: '1.0',
        DDBStreamBatchInfo: {
          shardId: 'shard-1',
          startSequenceNumber: '100',
          endSequenceNumber: '180',
          batchSize: 3,
          streamArn: 'arn:aws:dynamodb:us-east-1:1:table/ingest-local-events/stream/2025',
        },
      }),
    });
    expect(decoded.kind).toBe('stream-failure');
    expect(decoded.stream).toMatchObject({
      shardId: 'shard-1',
      batchSize: 3,
      approximateInvokeCount: 11,
      functionError: 'Unhandled',
    });
  });
});

describe('filters', () => {
  const now = new Date('2025-03-14T12:00:00.000Z');
  const message = decodeMessage({
    MessageId: 'm-1',
    Body: JSON.stringify(envelope('ApiKeyCreated', keyCreated)),
    Attributes: sent('2025-03-14T11:00:00.000Z'),
  });

  it('parses keys, ISO times and ages; every key must match', () => {
    const filter = parseFilters(
      ['detail-type=ApiKeyCreated', 'tenant=ten_1', 'after=2h', 'before=2025-03-14T11:30:00Z'],
      now,
    );
    expect(filter).toEqual({
      detailType: 'ApiKeyCreated',
      tenantId: 'ten_1',
      sentAfter: '2025-03-14T10:00:00.000Z',
      sentBefore: '2025-03-14T11:30:00.000Z',
    });
    expect(matches(message, filter)).toBe(true);
    expect(matches(message, { ...filter, tenantId: 'ten_2' })).toBe(false);
    expect(matches(message, { sentBefore: '2025-03-14T11:00:00.000Z' })).toBe(false); // before is exclusive
    expect(matches(message, { sentAfter: '2025-03-14T11:00:00.000Z' })).toBe(true); // after is inclusive
    expect(describeFilter(filter)).toBe(
      'detail-type=ApiKeyCreated tenant=ten_1 after=2025-03-14T10:00:00.000Z before=2025-03-14T11:30:00.000Z',
    );
  });

  it('matches ids against the SQS message id or the header id, from one or several --filter id=', () => {
    const filter = parseFilters(['id=nope,evt-1', 'id=other'], now);
    expect(filter.messageIds).toEqual(['nope', 'evt-1', 'other']);
    expect(matches(message, filter)).toBe(true);
    expect(matches(message, { messageIds: ['m-1'] })).toBe(true);
    expect(matches(message, { messageIds: ['x'] })).toBe(false);
    expect(isEmptyFilter(parseFilters([], now))).toBe(true);
  });

  it.each([
    ['color=red', /unknown key "color"/],
    ['tenant', /expected key=value/],
    ['after=yesterday', /not a time/],
    ['after=2025-03-14T10:00:00', /not a time/],
  ])('refuses %s clearly', (expression, message) => {
    expect(() => parseFilters([expression], now)).toThrow(FilterError);
    expect(() => parseFilters([expression], now)).toThrow(message);
  });

  it('refuses a key given twice and an empty time range', () => {
    expect(() => parseFilters(['tenant=a', 'tenant=b'], now)).toThrow(/given twice/);
    expect(() => parseFilters(['after=1h', 'before=2h'], now)).toThrow(/not before/);
  });
});

describe('RateLimiter', () => {
  it('spaces operations 1/N s apart, with no burst', async () => {
    let time = 0;
    const slept: number[] = [];
    const limiter = new RateLimiter(4, {
      now: () => time,
      sleep: async (ms) => {
        slept.push(ms);
        time += ms;
      },
    });
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await limiter.take();
      starts.push(time);
    }
    expect(starts).toEqual([0, 250, 500, 750, 1000]);
    // In any one second, at most 4 starts (the fifth is at 1000 ms, outside [0, 1000)).
    expect(starts.filter((t) => t < 1000)).toHaveLength(4);
  });

  it('gives up a slot when stopped while waiting', async () => {
    const controller = new AbortController();
    const limiter = new RateLimiter(1, {
      now: () => 0,
      sleep: async () => controller.abort(),
    });
    expect(await limiter.take(controller.signal)).toBe(true);
    expect(await limiter.take(controller.signal)).toBe(false);
  });
});

describe('discovery', () => {
  const queue = (name: string, extra: Partial<QueueFacts> = {}): QueueFacts => ({
    name,
    url: `http://sqs/000000000000/${name}`,
    arn: `arn:aws:sqs:us-east-1:000000000000:${name}`,
    depth: 0,
    inFlight: 0,
    ...extra,
  });

  it('finds redrive DLQs with source and consumer, and stream failure queues with their stream', () => {
    const queues = [
      queue('ingest-local-projections', {
        redrivePolicy: parseRedrivePolicy(
          JSON.stringify({
            deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:ingest-local-projections-dlq',
            maxReceiveCount: 5,
          }),
        ),
      }),
      queue('ingest-local-projections-dlq', { depth: 3 }),
      queue('ingest-local-outbox-failures', { depth: 1 }),
      queue('unrelated'),
    ];
    const mappings = [
      {
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ingest-local-projectState',
        eventSourceArn: 'arn:aws:sqs:us-east-1:000000000000:ingest-local-projections',
      },
      {
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:ingest-local-publishEventReceived',
        eventSourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/ingest-local-events/stream/2025',
        onFailureDestination: 'arn:aws:sqs:us-east-1:000000000000:ingest-local-outbox-failures',
      },
    ];
    const dlqs = findDeadLetterQueues(queues, mappings);
    expect(dlqs.map((d) => [d.name, d.kind, d.sourceQueue, d.consumer, d.depth])).toEqual([
      ['ingest-local-outbox-failures', 'stream-failure', null, 'ingest-local-publishEventReceived', 1],
      ['ingest-local-projections-dlq', 'redrive', 'ingest-local-projections', 'ingest-local-projectState', 3],
    ]);
    expect(dlqs[0]!.stream).toBe('table/ingest-local-events/stream/2025');
    expect(dlqs[1]!.maxReceiveCount).toBe(5);
  });

  it('reads function names from ARNs and ignores a broken RedrivePolicy', () => {
    expect(functionNameOf('arn:aws:lambda:us-east-1:1:function:f:live')).toBe('f');
    expect(functionNameOf('f')).toBe('f');
    expect(parseRedrivePolicy('{nope')).toBeUndefined();
  });
});
