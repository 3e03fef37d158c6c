import { z } from 'zod';
import { ApiKeyCreated, defineContract } from '../../src';

describe('defineContract', () => {
  it('derives source and defaults the channel to the bus', () => {
    const c = defineContract({
      service: 'activity',
      detailType: 'FeedItemCreated',
      version: 2,
      description: 'test',
      body: { itemId: z.string() },
    });
    expect(c.source).toBe('switchyard.activity');
    expect(c.channel).toBe('bus');
    expect(c.schema.safeParse({ version: 2 }).success).toBe(false);
  });

  it('refuses a detail-type that is not PascalCase', () => {
    expect(() =>
      defineContract({
        service: 'ingest',
        detailType: 'event-received',
        version: 1,
        description: '',
        body: {},
      }),
    ).toThrow(/PascalCase/);
  });

  it('refuses a body that redefines a header field', () => {
    expect(() =>
      defineContract({
        service: 'ingest',
        detailType: 'EventReceived',
        version: 1,
        description: '',
        body: { tenantId: z.number() },
      }),
    ).toThrow(/header field/);
  });

  it('refuses a version that is not a positive integer', () => {
    expect(() =>
      defineContract({
        service: 'ingest',
        detailType: 'EventReceived',
        version: 0,
        description: '',
        body: {},
      }),
    ).toThrow(/positive integer/);
  });

  it('refuses exactlyOneOf over a required field', () => {
    expect(() =>
      defineContract({
        service: 'ingest',
        detailType: 'EventReceived',
        version: 1,
        description: '',
        body: { a: z.string(), b: z.string().optional() },
        exactlyOneOf: ['a', 'b'],
      }),
    ).toThrow(/must be an optional body field/);
  });

  it('never carries an API key secret, only its hash', () => {
    const fields = Object.keys(ApiKeyCreated.schema.shape);
    expect(fields).toContain('secretHash');
    expect(fields.filter((f) => /secret|password|token/i.test(f) && f !== 'secretHash')).toEqual([]);
  });
});
