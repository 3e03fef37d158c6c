import { classifyResult } from '../../../src/domain/outcome';
import {
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  MAX_RETRY_AFTER_SECONDS,
  parseRetryAfter,
  parseRetrySchedule,
  waitBeforeAttempt,
  withJitter,
} from '../../../src/domain/schedule';

const now = new Date('2026-03-01T12:00:00.000Z');

describe('the retry schedule', () => {
  it('defaults to at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h', () => {
    expect(parseRetrySchedule('0,5,300,1800,7200,18000,36000,36000')).toEqual([
      ...DEFAULT_RETRY_SCHEDULE_SECONDS,
    ]);
  });

  it('refuses anything but whole seconds', () => {
    for (const bad of ['', '1,,2', '-1', '1.5', 'a', '0,5,99999999']) {
      expect(() => parseRetrySchedule(bad)).toThrow(/retry schedule/);
    }
  });

  it('spreads waits by the jitter, keeps 0 immediate and never makes a wait 0', () => {
    expect(withJitter(0, 0.2, () => 0.99)).toBe(0);
    expect(withJitter(300, 0.2, () => 0)).toBe(240);
    expect(withJitter(300, 0.2, () => 0.5)).toBe(300);
    expect(withJitter(300, 0.2, () => 0.999999)).toBe(360);
    expect(withJitter(1, 1, () => 0)).toBe(1);
    const spread = Array.from({ length: 200 }, () => withJitter(1800, 0.2, Math.random));
    expect(Math.min(...spread)).toBeGreaterThanOrEqual(1440);
    expect(Math.max(...spread)).toBeLessThanOrEqual(2160);
  });

  it('gives the wait before each scheduled attempt, and none past the last', () => {
    const schedule = [0, 5, 300];
    expect([1, 2, 3, 4].map((n) => waitBeforeAttempt(schedule, n, 0, Math.random))).toEqual([
      0,
      5,
      300,
      undefined,
    ]);
  });

  it('reads Retry-After as seconds or an HTTP date, capped at a day', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 7 ', now)).toBe(7);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('Sun, 01 Mar 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999999', now)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('what an attempt amounts to', () => {
  const result = (statusCode: number, retryAfter?: string) => ({
    statusCode,
    latencyMs: 10,
    ...(retryAfter ? { retryAfter } : {}),
  });

  it('delivers on any 2xx', () => {
    for (const status of [200, 201, 202, 204, 299])
      expect(classifyResult(result(status), now).outcome).toBe('delivered');
  });

  it('treats 410 as gone and everything else as a failure to retry', () => {
    expect(classifyResult(result(410), now)).toEqual({ outcome: 'gone', reason: 'HTTP 410 Gone' });
    for (const status of [301, 302, 400, 401, 404, 409, 500, 502]) {
      expect(classifyResult(result(status), now)).toEqual({ outcome: 'failed', reason: `HTTP ${status}` });
    }
  });

  it('honours Retry-After on 429 and 503 only', () => {
    expect(classifyResult(result(429, '30'), now)).toEqual({
      outcome: 'failed',
      reason: 'HTTP 429',
      retryAfterSeconds: 30,
    });
    expect(classifyResult(result(503, '5'), now).retryAfterSeconds).toBe(5);
    expect(classifyResult(result(500, '30'), now).retryAfterSeconds).toBeUndefined();
  });

  it('fails timeouts and connection errors, and marks refused addresses', () => {
    expect(classifyResult({ latencyMs: 15000, error: 'timeout: no response', timedOut: true }, now)).toEqual({
      outcome: 'failed',
      reason: 'timeout: no response',
    });
    expect(classifyResult({ latencyMs: 1, error: 'address refused: x', refused: true }, now)).toEqual({
      outcome: 'refused',
      reason: 'address refused: x',
    });
  });
});
