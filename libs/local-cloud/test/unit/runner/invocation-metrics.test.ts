import {
  InvocationMetrics,
  METRICS_WINDOW_MS,
  percentile,
} from '../../../src/runner/host/invocation-metrics';

describe('invocation metrics (AWS/Lambda, locally)', () => {
  it('takes the nearest-rank percentile', () => {
    expect(percentile([], 99)).toBeNull();
    expect(percentile([5], 99)).toBe(5);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 50)).toBe(50);
  });

  it('counts invocations and errors and takes p99 and max within a window, forgetting older ones', () => {
    let now = 1_000_000;
    const metrics = new InvocationMetrics(() => now);
    metrics.record('svc-local-a', 30, false);
    now += 2 * 60_000;
    metrics.record('svc-local-a', 10, true);
    metrics.record('svc-local-a', 20, false);
    metrics.record('svc-local-b', 5, false);

    expect(metrics.summary(60_000)).toEqual([
      { functionName: 'svc-local-a', invocations: 2, errors: 1, p99Ms: 20, maxMs: 20 },
      { functionName: 'svc-local-b', invocations: 1, errors: 0, p99Ms: 5, maxMs: 5 },
    ]);
    expect(metrics.summary(5 * 60_000, 'svc-local-a')).toEqual([
      { functionName: 'svc-local-a', invocations: 3, errors: 1, p99Ms: 30, maxMs: 30 },
    ]);

    now += METRICS_WINDOW_MS + 1;
    metrics.record('svc-local-a', 1, false);
    expect(metrics.summary(METRICS_WINDOW_MS, 'svc-local-a')[0]?.invocations).toBe(1);
  });
});
