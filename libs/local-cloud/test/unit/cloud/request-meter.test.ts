import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { askForCapacity, meterExchange, RequestMeter, startMeteringProxy } from '../../../src/request-meter';

const exchange = (target: string, body: unknown, response: unknown = {}) => ({
  method: 'POST',
  path: '/',
  target,
  body: JSON.stringify(body),
  response: JSON.stringify(response),
});

describe('meterExchange', () => {
  it('counts DynamoDB write units per KB, two per transaction item, half a read unit for eventual reads', () => {
    const meter = new RequestMeter();
    meterExchange(
      meter,
      exchange('DynamoDB_20120810.PutItem', {
        TableName: 'ingest-local-events',
        Item: { a: 'x'.repeat(1500) },
      }),
    );
    meterExchange(
      meter,
      exchange('DynamoDB_20120810.TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: 'ingest-local-events', Item: { a: 1 } } },
          { Update: { TableName: 'ingest-local-state', Key: { pk: 'x' } } },
        ],
      }),
    );
    meterExchange(
      meter,
      exchange('DynamoDB_20120810.GetItem', { TableName: 'delivery-local' }, { Item: {} }),
    );
    meterExchange(
      meter,
      exchange('DynamoDB_20120810.GetItem', { TableName: 'delivery-local', ConsistentRead: true }),
    );
    meterExchange(meter, exchange('DynamoDBStreams_20120810.GetRecords', { ShardIterator: 'x' }));
    expect(meter.snapshot()).toEqual([
      { service: 'dynamodb', operation: 'PutItem', resource: 'ingest-local-events', requests: 1, units: 2 },
      {
        service: 'dynamodb',
        operation: 'TransactWriteItems item',
        resource: 'ingest-local-events',
        requests: 1,
        units: 2,
      },
      {
        service: 'dynamodb',
        operation: 'TransactWriteItems item',
        resource: 'ingest-local-state',
        requests: 1,
        units: 2,
      },
      { service: 'dynamodb', operation: 'GetItem', resource: 'delivery-local', requests: 2, units: 1.5 },
      { service: 'dynamodb-streams', operation: 'GetRecords', resource: 'stream', requests: 1, units: 0 },
    ]);
  });

  it("counts the capacity DynamoDB reports, indexes included, by table, and a transaction's items twice", () => {
    const meter = new RequestMeter();
    meterExchange(
      meter,
      exchange(
        'DynamoDB_20120810.PutItem',
        { TableName: 'delivery-local', Item: { a: 1 } },
        {
          ConsumedCapacity: {
            TableName: 'delivery-local',
            CapacityUnits: 4,
            Table: { CapacityUnits: 2 },
            GlobalSecondaryIndexes: { bySubscription: { CapacityUnits: 2 } },
          },
        },
      ),
    );
    meterExchange(
      meter,
      exchange(
        'DynamoDB_20120810.TransactWriteItems',
        { TransactItems: [] },
        {
          // As DynamoDB Local reports two items with one index entry each: 1 unit an item.
          ConsumedCapacity: [
            {
              TableName: 'delivery-local',
              CapacityUnits: 4,
              Table: { CapacityUnits: 2 },
              GlobalSecondaryIndexes: { bySubscription: { CapacityUnits: 2 } },
            },
            { TableName: 'ingest-local-state', CapacityUnits: 1 },
          ],
        },
      ),
    );
    expect(meter.snapshot()).toEqual([
      { service: 'dynamodb', operation: 'PutItem', resource: 'delivery-local', requests: 1, units: 4 },
      {
        service: 'dynamodb',
        operation: 'TransactWriteItems',
        resource: 'delivery-local',
        requests: 1,
        units: 6,
      },
      {
        service: 'dynamodb',
        operation: 'TransactWriteItems',
        resource: 'ingest-local-state',
        requests: 1,
        units: 2,
      },
    ]);
  });

  it('counts PutEvents per entry and source, and tells empty SQS receives apart', () => {
    const meter = new RequestMeter();
    meterExchange(
      meter,
      exchange('AWSEvents.PutEvents', {
        Entries: [{ Source: 'switchyard.ingest' }, { Source: 'switchyard.ingest' }],
      }),
    );
    const queue = 'http://127.0.0.1:1/000000000000/delivery-local-events';
    meterExchange(meter, exchange('AmazonSQS.ReceiveMessage', { QueueUrl: queue }, { Messages: [{}] }));
    meterExchange(meter, exchange('AmazonSQS.ReceiveMessage', { QueueUrl: queue }, {}));
    meterExchange(
      meter,
      exchange('AmazonSQS.SendMessage', { QueueUrl: queue, MessageBody: 'x'.repeat(70_000) }),
    );
    expect(meter.snapshot()).toEqual([
      { service: 'events', operation: 'PutEvents', resource: 'switchyard.ingest', requests: 2, units: 2 },
      {
        service: 'sqs',
        operation: 'ReceiveMessage',
        resource: 'delivery-local-events',
        requests: 1,
        units: 1,
      },
      {
        service: 'sqs',
        operation: 'ReceiveMessage (idle)',
        resource: 'delivery-local-events',
        requests: 1,
        units: 1,
      },
      { service: 'sqs', operation: 'SendMessage', resource: 'delivery-local-events', requests: 1, units: 2 },
    ]);
  });
});

describe('askForCapacity', () => {
  const reported = {
    Attributes: { a: { S: 'b' } },
    ConsumedCapacity: {
      TableName: 't',
      CapacityUnits: 3,
      Table: { CapacityUnits: 2 },
      GlobalSecondaryIndexes: { i: { CapacityUnits: 1 } },
    },
  };
  const json = (buffer: Buffer) => JSON.parse(buffer.toString('utf8')) as Record<string, unknown>;

  it('asks DynamoDB for its capacity with the indexes, and answers a caller who did not ask without it', () => {
    const asked = askForCapacity('DynamoDB_20120810.UpdateItem', Buffer.from('{"TableName":"t"}'));
    expect(json(asked.body)).toEqual({ TableName: 't', ReturnConsumedCapacity: 'INDEXES' });
    expect(json(asked.answer(Buffer.from(JSON.stringify(reported))))).toEqual({
      Attributes: { a: { S: 'b' } },
    });
  });

  it('gives a caller who asked for the total the total alone', () => {
    const asked = askForCapacity(
      'DynamoDB_20120810.PutItem',
      Buffer.from('{"TableName":"t","ReturnConsumedCapacity":"TOTAL"}'),
    );
    expect(json(asked.body).ReturnConsumedCapacity).toBe('INDEXES');
    expect(json(asked.answer(Buffer.from(JSON.stringify(reported)))).ConsumedCapacity).toEqual({
      TableName: 't',
      CapacityUnits: 3,
    });
  });

  it('leaves other requests, and callers who asked for the indexes, as they are', () => {
    for (const [target, text] of [
      ['AmazonSQS.SendMessage', '{"QueueUrl":"q"}'],
      ['DynamoDB_20120810.ListTables', '{}'],
      ['DynamoDB_20120810.PutItem', '{"TableName":"t","ReturnConsumedCapacity":"INDEXES"}'],
    ] as const) {
      const body = Buffer.from(text);
      const asked = askForCapacity(target, body);
      expect(asked.body).toBe(body);
      const answer = Buffer.from(JSON.stringify(reported));
      expect(asked.answer(answer)).toBe(answer);
    }
  });
});

describe('startMeteringProxy', () => {
  it('passes requests and answers through (asking DynamoDB for its capacity) and meters them', async () => {
    const upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'x-upstream': 'yes' });
        res.end(JSON.stringify({ echoed: JSON.parse(body), target: req.headers['x-amz-target'] }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const meter = new RequestMeter();
    const proxy = await startMeteringProxy(
      `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      meter,
    );
    try {
      const response = await fetch(proxy.endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': 'DynamoDB_20120810.UpdateItem' },
        body: JSON.stringify({ TableName: 'billing-local' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-upstream')).toBe('yes');
      expect(await response.json()).toEqual({
        echoed: { TableName: 'billing-local', ReturnConsumedCapacity: 'INDEXES' },
        target: 'DynamoDB_20120810.UpdateItem',
      });
      expect(meter.snapshot()).toEqual([
        { service: 'dynamodb', operation: 'UpdateItem', resource: 'billing-local', requests: 1, units: 1 },
      ]);
    } finally {
      await proxy.stop();
      upstream.close();
    }
  });

  it('meters the capacity DynamoDB reports and answers with a body and CRC32 of what the caller asked', async () => {
    const upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = JSON.stringify({
          Attributes: {},
          ConsumedCapacity: { TableName: 'delivery-local', CapacityUnits: 4 },
        });
        res.writeHead(200, { 'x-amz-crc32': String(crc32(body)), 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const meter = new RequestMeter();
    const proxy = await startMeteringProxy(
      `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      meter,
    );
    try {
      const response = await fetch(proxy.endpoint, {
        method: 'POST',
        headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem' },
        body: JSON.stringify({ TableName: 'delivery-local', Item: {} }),
      });
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({ Attributes: {} });
      expect(response.headers.get('x-amz-crc32')).toBe(String(crc32(text)));
      expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
      expect(meter.snapshot()).toEqual([
        { service: 'dynamodb', operation: 'PutItem', resource: 'delivery-local', requests: 1, units: 4 },
      ]);
    } finally {
      await proxy.stop();
      upstream.close();
    }
  });
});
