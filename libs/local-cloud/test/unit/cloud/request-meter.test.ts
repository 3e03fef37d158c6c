import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { meterExchange, RequestMeter, startMeteringProxy } from '../../../src/request-meter';

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

describe('startMeteringProxy', () => {
  it('passes requests and answers through unchanged, and meters them', async () => {
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
        echoed: { TableName: 'billing-local' },
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
});
