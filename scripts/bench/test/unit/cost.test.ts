import { PRICES, priceWindow } from '../../cost';

describe('priceWindow', () => {
  it('prices each service and product per million events from the window counts', () => {
    const lines = priceWindow({
      events: 100,
      apiRequests: 100,
      requests: [
        {
          service: 'dynamodb',
          operation: 'PutItem',
          resource: 'ingest-local-events',
          requests: 100,
          units: 200,
        },
        { service: 'dynamodb', operation: 'GetItem', resource: 'delivery-local', requests: 100, units: 50 },
        {
          service: 'events',
          operation: 'PutEvents',
          resource: 'switchyard.ingest',
          requests: 100,
          units: 100,
        },
        {
          service: 'sqs',
          operation: 'ReceiveMessage (idle)',
          resource: 'delivery-local-events',
          requests: 999,
          units: 999,
        },
        {
          service: 'sqs',
          operation: 'SendMessage',
          resource: 'delivery-local-attempts',
          requests: 100,
          units: 100,
        },
        { service: 'dynamodb-streams', operation: 'GetRecords', resource: 'stream', requests: 50, units: 0 },
      ],
      functions: [
        { functionName: 'delivery-local-deliver', invocations: 100, durationMs: 10_000, memorySize: 512 },
      ],
      logBytesByFunction: new Map([['delivery-local-deliver', 1024 ** 3 / 1e4]]),
    });
    const find = (service: string, product: string) =>
      lines.find((l) => l.service === service && l.product === product);
    expect(find('ingest', 'API Gateway')).toMatchObject({ unitsPerEvent: 1, dollarsPerMillion: 1 });
    expect(find('ingest', 'DynamoDB writes')).toMatchObject({ unitsPerEvent: 2, dollarsPerMillion: 1.25 });
    expect(find('delivery', 'DynamoDB reads')?.dollarsPerMillion).toBeCloseTo(0.0625);
    expect(find('ingest', 'EventBridge')?.dollarsPerMillion).toBeCloseTo(1);
    // Empty polls are a fixed cost, not a cost per event; stream reads by Lambda are free.
    expect(find('delivery', 'SQS')).toMatchObject({ unitsPerEvent: 1 });
    expect(find('delivery', 'SQS')?.dollarsPerMillion).toBeCloseTo(0.4);
    expect(lines.some((l) => l.product.includes('stream'))).toBe(false);
    // 100 ms at 512 MB = 0.05 GB-s per event.
    expect(find('delivery', 'Lambda duration')?.unitsPerEvent).toBeCloseTo(0.05);
    expect(find('delivery', 'Lambda duration')?.dollarsPerMillion).toBeCloseTo(
      0.05 * PRICES.lambdaGbSecond * 1e6,
    );
    expect(find('delivery', 'CloudWatch Logs')?.dollarsPerMillion).toBeCloseTo((0.5 / 1e4 / 100) * 1e6);
  });
});
