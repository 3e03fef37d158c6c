/** A bounded HTTP load test on loopback, through autocannon's programmatic API. */
import { createRequire } from 'node:module';

interface Histogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
  total?: number;
}

interface AutocannonResult {
  duration: number;
  requests: Histogram;
  latency: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  pipelining?: number;
  timeout?: number;
}) => Promise<AutocannonResult>;

// autocannon ships no types; this is the part of its API the bench uses.
const autocannon = createRequire(__filename)('autocannon') as Autocannon;

export interface LoadResult {
  url: string;
  connections: number;
  durationSeconds: number;
  /** 2xx responses per second over the measured duration. */
  requestsPerSecond: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyMs: { average: number; p50: number; p99: number; max: number };
}

/** Runs `warmupSeconds` of unmeasured load, then `durationSeconds` of measured load; loopback only. */
export async function measureLoad(
  url: string,
  options: { connections: number; durationSeconds: number; warmupSeconds: number },
  /** Called between the warm-up and the measured load (e.g. to take CPU-time readings). */
  beforeMeasured?: () => void,
): Promise<LoadResult> {
  const { hostname } = new URL(url);
  if (hostname !== '127.0.0.1' && hostname !== 'localhost' && hostname !== '[::1]') {
    throw new Error(`load tests run on loopback only, not ${url}`);
  }
  if (options.warmupSeconds > 0) {
    await autocannon({ url, connections: options.connections, duration: options.warmupSeconds, timeout: 10 });
  }
  beforeMeasured?.();
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.durationSeconds,
    timeout: 10,
  });
  return {
    url,
    connections: options.connections,
    durationSeconds: result.duration,
    requestsPerSecond: result['2xx'] / result.duration,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    latencyMs: {
      average: result.latency.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
    },
  };
}
