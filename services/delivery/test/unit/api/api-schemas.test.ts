// The request schemas give field-level problems for what the domain refuses, and the answers'
// schemas describe what the domain's views build.
import { zodIssuesToDetails } from '@switchyard/runtime';
import type { z } from 'zod';
import {
  createSubscriptionRequestSchema,
  pageQuerySchema,
  recoverRequestSchema,
  subscriptionSchema,
  updateSubscriptionRequestSchema,
} from '../../../src/api-schemas';
import { newSubscription, toSubscriptionView } from '../../../src/domain/subscriptions';

/** What the handler factory would answer as `details` (paths of the body are plain). */
function problems(schema: z.ZodType, value: unknown): { path: string; message: string }[] {
  const result = schema.safeParse(value);
  return result.success ? [] : zodIssuesToDetails(result.error.issues, undefined);
}

describe('POST /subscriptions body', () => {
  it('accepts url and event types, with optional description, enabled and rate limit', () => {
    expect(
      createSubscriptionRequestSchema.parse({ url: 'https://example.com/hook', event_types: ['order.*'] }),
    ).toEqual({ url: 'https://example.com/hook', event_types: ['order.*'] });
    expect(
      problems(createSubscriptionRequestSchema, {
        url: 'https://example.com/hook',
        event_types: ['*'],
        description: 'all',
        enabled: false,
        rate_limit_per_second: 20,
      }),
    ).toEqual([]);
  });

  it('names each bad field', () => {
    const details = problems(createSubscriptionRequestSchema, {
      url: 'ftp://example.com',
      event_types: ['order.created', 'order*'],
      rate_limit_per_second: 0,
      colour: 'red',
    });
    const paths = details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['url', 'event_types.1', 'rate_limit_per_second']));
    expect(JSON.stringify(details)).toContain('colour');
    expect(details.find((d) => d.path === 'url')?.message).toContain('http(s)');
  });

  it('needs a url and at least one event type', () => {
    const paths = problems(createSubscriptionRequestSchema, { event_types: [] }).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['url', 'event_types']));
    expect(problems(createSubscriptionRequestSchema, undefined)).not.toEqual([]);
  });

  it('takes at most 50 event types', () => {
    const many = Array.from({ length: 51 }, (_, i) => `t.${i}`);
    expect(problems(createSubscriptionRequestSchema, { url: 'https://x.test', event_types: many })).toEqual([
      expect.objectContaining({ path: 'event_types' }),
    ]);
  });
});

describe('PATCH /subscriptions/{id} body', () => {
  it('takes any subset of the fields, null clearing description and rate limit', () => {
    expect(updateSubscriptionRequestSchema.parse({ enabled: true })).toEqual({ enabled: true });
    expect(updateSubscriptionRequestSchema.parse({ description: null, rate_limit_per_second: null })).toEqual(
      {
        description: null,
        rate_limit_per_second: null,
      },
    );
  });

  it('refuses an empty patch, unknown fields and bad values', () => {
    expect(problems(updateSubscriptionRequestSchema, {})).toEqual([
      expect.objectContaining({ message: expect.stringContaining('Nothing to change') }),
    ]);
    expect(problems(updateSubscriptionRequestSchema, { secret: 'whsec_x' })).not.toEqual([]);
    expect(problems(updateSubscriptionRequestSchema, { enabled: 'yes' }).map((d) => d.path)).toEqual([
      'enabled',
    ]);
    expect(problems(updateSubscriptionRequestSchema, { event_types: ['a.*.b'] }).map((d) => d.path)).toEqual([
      'event_types.0',
    ]);
  });
});

describe('queries and recover', () => {
  it('pages default to 50 and take 1..200', () => {
    expect(pageQuerySchema.parse({})).toEqual({ limit: 50 });
    expect(pageQuerySchema.parse({ limit: '200', cursor: 'abc' })).toEqual({ limit: 200, cursor: 'abc' });
    for (const limit of ['0', '201', 'x', '2.5'])
      expect(pageQuerySchema.safeParse({ limit }).success).toBe(false);
    expect(pageQuerySchema.safeParse({ sort: 'asc' }).success).toBe(false);
  });

  it('recover needs an ISO time', () => {
    expect(recoverRequestSchema.parse({ since: '2026-01-01T00:00:00Z' })).toEqual({
      since: '2026-01-01T00:00:00Z',
    });
    expect(recoverRequestSchema.safeParse({ since: 'yesterday' }).success).toBe(false);
    expect(recoverRequestSchema.safeParse({}).success).toBe(false);
  });
});

describe('answers', () => {
  it("the subscription schema accepts the domain's view and has no secret", () => {
    const sub = newSubscription(
      { tenantId: 't', url: 'https://x.test/h', eventTypes: ['*'], description: 'd' },
      new Date('2026-01-01T00:00:00Z'),
      (n) => new Uint8Array(n),
    );
    const view = toSubscriptionView(sub);
    expect(subscriptionSchema.parse(view)).toEqual(view);
    expect(Object.keys(subscriptionSchema.shape)).not.toContain('secret');
  });
});
