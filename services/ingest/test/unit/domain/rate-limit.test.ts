import { entitlementFor } from '../../../src/domain/entitlements';
import {
  currentWindow,
  policyFor,
  rateLimitDecision,
  rateLimitPolicy,
  rateLimitUpdate,
} from '../../../src/domain/rate-limit';
import type { RateLimitPolicy, RateLimitWriteResult } from '../../../src/domain/rate-limit';
import { TENANT } from './fixtures';

const subject = { tenantId: TENANT, keyId: 'key1' };
const T = new Date('2025-06-01T12:00:00.250Z');

/**
 * A faithful model of the one UpdateItem against a table shared by every Lambda instance: the
 * condition is evaluated and the counters incremented atomically, as DynamoDB does.
 */
function sharedTable() {
  const items = new Map<string, Record<string, number>>();
  return (policy: RateLimitPolicy, who: { tenantId: string; keyId: string }, now: Date) => {
    const update = rateLimitUpdate(policy, who, now);
    const item = items.get(update.Key.pk) ?? {};
    const tenant = item[update.tenantAttribute];
    const key = item[update.keyAttribute];
    const ok =
      (tenant === undefined || tenant < policy.tenantLimit) && (key === undefined || key < policy.keyLimit);
    let result: RateLimitWriteResult;
    if (ok) {
      const next = {
        ...item,
        [update.tenantAttribute]: (tenant ?? 0) + 1,
        [update.keyAttribute]: (key ?? 0) + 1,
      };
      items.set(update.Key.pk, next);
      result = {
        written: true,
        tenantCount: next[update.tenantAttribute] ?? 0,
        keyCount: next[update.keyAttribute] ?? 0,
      };
    } else {
      result = {
        written: false,
        ...(tenant === undefined ? {} : { tenantCount: tenant }),
        ...(key === undefined ? {} : { keyCount: key }),
      };
    }
    return rateLimitDecision(policy, update, result, now);
  };
}

describe('rateLimitPolicy', () => {
  it('uses one-second windows and gives each key half the tenant rate', () => {
    expect(rateLimitPolicy(10)).toEqual({ windowSeconds: 1, tenantLimit: 10, keyLimit: 5 });
    expect(rateLimitPolicy(1)).toEqual({ windowSeconds: 1, tenantLimit: 1, keyLimit: 1 });
    expect(policyFor(entitlementFor(TENANT, undefined))).toEqual({
      windowSeconds: 1,
      tenantLimit: 10,
      keyLimit: 5,
    });
  });

  it('stretches the window for rates below one per second instead of blocking everything', () => {
    expect(rateLimitPolicy(0.2)).toEqual({ windowSeconds: 5, tenantLimit: 1, keyLimit: 1 });
    expect(rateLimitPolicy(2.5)).toEqual({ windowSeconds: 1, tenantLimit: 2, keyLimit: 1 });
  });

  it('refuses a rate that is not a positive number', () => {
    expect(() => rateLimitPolicy(0)).toThrow(RangeError);
    expect(() => rateLimitPolicy(Number.NaN)).toThrow(RangeError);
  });
});

describe('rateLimitUpdate', () => {
  it('is one conditional UpdateItem counting tenant and key together, names through placeholders', () => {
    const update = rateLimitUpdate(rateLimitPolicy(10), subject, T);
    expect(update.Key).toEqual({ pk: `rate#${TENANT}#1#${Math.floor(T.getTime() / 1000)}` });
    expect(update.UpdateExpression).toBe(
      'ADD #tenant :one, #key :one SET #expiresAt = if_not_exists(#expiresAt, :expiresAt)',
    );
    expect(update.ConditionExpression).toContain('#tenant < :tenantLimit');
    expect(update.ConditionExpression).toContain('#key < :keyLimit');
    expect(update.ExpressionAttributeNames).toEqual({
      '#tenant': 'tenantCount',
      '#key': 'k#key1',
      '#expiresAt': 'expiresAt',
    });
    expect(update.ExpressionAttributeValues).toMatchObject({ ':one': 1, ':tenantLimit': 10, ':keyLimit': 5 });
    // Every placeholder used is defined, and every defined one is used.
    const used = `${update.UpdateExpression} ${update.ConditionExpression}`;
    for (const name of Object.keys(update.ExpressionAttributeNames)) expect(used).toContain(name);
    for (const value of Object.keys(update.ExpressionAttributeValues)) expect(used).toContain(value);
  });

  it('aligns windows to their length', () => {
    expect(currentWindow(new Date('2025-06-01T12:00:07.900Z'), 5)).toEqual({
      start: Date.parse('2025-06-01T12:00:05Z') / 1000,
      end: Date.parse('2025-06-01T12:00:10Z') / 1000,
    });
  });
});

describe('rateLimitDecision', () => {
  const policy = rateLimitPolicy(10);

  it('lets a key through up to its limit, then refuses with Retry-After and RateLimit-* headers', () => {
    const call = sharedTable();
    const answers = Array.from({ length: 6 }, () => call(policy, subject, T));
    expect(answers.slice(0, 5).every((a) => a.allowed)).toBe(true);
    expect(answers[0]?.headers).toEqual({
      'RateLimit-Limit': '5',
      'RateLimit-Remaining': '4',
      'RateLimit-Reset': '1',
    });
    expect(answers[4]?.headers['RateLimit-Remaining']).toBe('0');
    expect(answers[5]).toEqual({
      allowed: false,
      limitedBy: 'key',
      retryAfterSeconds: 1,
      headers: {
        'RateLimit-Limit': '5',
        'RateLimit-Remaining': '0',
        'RateLimit-Reset': '1',
        'Retry-After': '1',
      },
    });
  });

  it('shares the tenant limit across keys (and across instances: the store is the only state)', () => {
    const call = sharedTable();
    const keys = ['k1', 'k2', 'k3'];
    const results = keys.flatMap((keyId) =>
      Array.from({ length: 5 }, () => call(policy, { tenantId: TENANT, keyId }, T)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    const refused = results.filter((r) => !r.allowed);
    expect(refused.every((r) => r.limitedBy === 'tenant')).toBe(true);
    expect(refused[0]?.headers['RateLimit-Limit']).toBe('10');
  });

  it('reports the stricter limit while allowed: the one with fewer requests left', () => {
    const call = sharedTable();
    for (let i = 0; i < 4; i++) call(policy, { tenantId: TENANT, keyId: 'other' }, T);
    // Tenant has 10 - 4 - 1 = 5 left, key 5 - 1 = 4: the key is stricter.
    const answer = call(policy, subject, T);
    expect(answer.headers).toMatchObject({ 'RateLimit-Limit': '5', 'RateLimit-Remaining': '4' });
  });

  it('starts afresh in the next window and counts the reset in whole seconds', () => {
    const call = sharedTable();
    for (let i = 0; i < 5; i++) call(policy, subject, T);
    expect(call(policy, subject, T).allowed).toBe(false);
    expect(call(policy, subject, new Date(T.getTime() + 750)).allowed).toBe(true);
    const slow = rateLimitPolicy(0.2);
    const answer = sharedTable()(slow, subject, new Date('2025-06-01T12:00:06.500Z'));
    expect(answer.headers['RateLimit-Reset']).toBe('4');
  });

  it('refuses to the end of the window when the failed write returned no counts', () => {
    const update = rateLimitUpdate(policy, subject, T);
    expect(rateLimitDecision(policy, update, { written: false }, T)).toMatchObject({
      allowed: false,
      limitedBy: 'tenant',
      retryAfterSeconds: 1,
    });
  });
});
