import { defineConfig } from '@switchyard/runtime';
import { z } from 'zod';
import type { EndpointPolicy } from './domain/address-safety';
import { endpointPolicy } from './domain/address-safety';
import type { EngineSettings } from './domain/engine';
import type { Lane } from './domain/lanes';
import { parseRetrySchedule } from './domain/schedule';

/**
 * The delivery engine's environment (provider.environment in serverless.yml, plus per-function
 * variables). Read once per container at first use: a bad deploy fails loudly, naming what is
 * missing or invalid (never the values). The API's settings are in ./api-config.ts.
 *
 * Every duration is configurable so the integration tests run the real engine with short waits
 * (they change a function's environment through the local cloud's Lambda API), never by sleeping.
 */
const seconds = () => z.coerce.number().int().min(0);

export const config = defineConfig(
  z.object({
    /** The one delivery table (layout in src/adapters/delivery-table.ts). */
    DELIVERY_TABLE: z.string().min(1),
    /** The platform bus; the outbox publisher sends to it. */
    EVENT_BUS_NAME: z.string().min(1),
    /** `delivery-<stage>-attempts`: DeliveryRequested, one attempt each (the default lane). */
    ATTEMPTS_QUEUE_URL: z.string().min(1),
    /** `delivery-<stage>-attempts-slow`: the slow lane's queue (see src/domain/lanes.ts). */
    SLOW_ATTEMPTS_QUEUE_URL: z.string().min(1),
    /** The lane this function serves (deliver: default, deliverSlow: slow). */
    LANE: z.enum(['default', 'slow']).default('default'),
    /** An attempt slower than this (or timing out) moves its endpoint to the slow lane. */
    SLOW_LATENCY_MS: z.coerce.number().int().positive().default(5_000),
    /** How long an endpoint stays in the slow lane after its last slow attempt. */
    SLOW_LANE_SECONDS: seconds().default(600),
    /** Stage name: production stages require https endpoints (see src/domain/address-safety.ts). */
    STAGE: z.string().min(1),
    /**
     * Waits before each attempt, in seconds, comma-separated: the first is the wait before the
     * first attempt (0 = at once), the number of entries is the number of scheduled attempts.
     */
    RETRY_SCHEDULE_SECONDS: z.string().default('0,5,300,1800,7200,18000,36000,36000'),
    /** Each wait is spread by ± this fraction (0.2: 5 min becomes 4-6 min), so retries do not stampede. */
    RETRY_JITTER: z.coerce.number().min(0).max(1).default(0.2),
    /** A 2xx must come within this time (headers and the first KB of the body). */
    SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
    /** An endpoint failing without a success for this long is disabled (default 5 days). */
    ENDPOINT_DISABLE_AFTER_SECONDS: seconds().default(5 * 24 * 60 * 60),
    /**
     * Waits up to this long ride on SQS DelaySeconds (at most 900); longer ones are kept in the
     * table's `due` index and re-enqueued by sweepDueRetries.
     */
    MAX_QUEUE_DELAY_SECONDS: seconds().max(900).default(900),
    /** How far ahead sweepDueRetries re-enqueues (with the rest of the wait as DelaySeconds). */
    SWEEP_LOOKAHEAD_SECONDS: seconds().max(900).default(120),
    /**
     * Networks (CIDR, comma-separated) an operator allows endpoints to resolve to although they are
     * not public: e.g. `10.20.0.0/16` for an internal receiver. The local stage allows loopback.
     */
    ALLOWED_ENDPOINT_NETWORKS: z.string().default(''),
    /** Messages per second an endpoint receives when its subscription sets no limit. */
    DEFAULT_RATE_LIMIT_PER_SECOND: z.coerce.number().int().positive().default(100),
    /** Event copies, messages and attempts are kept this long (DynamoDB TTL). */
    RETENTION_DAYS: z.coerce.number().int().positive().default(30),
  }),
);

export type DeliveryConfig = ReturnType<typeof config>;

/** The engine's settings, derived once from the configuration (a bad value fails the cold start). */
export interface EngineRuntime {
  settings: EngineSettings;
  policy: EndpointPolicy;
  sendTimeoutMs: number;
  defaultRateLimit: number;
  /** TTL of what an event leaves behind, from its receipt. */
  retentionSeconds: number;
  /** How long an attempt's claim lasts: past any send, shorter than the queue's visibility timeout. */
  claimLeaseMs: number;
  /** The lane this function serves. */
  lane: Lane;
  slow: { slowLatencyMs: number; slowLaneSeconds: number };
}

let runtime: EngineRuntime | undefined;

export function engineRuntime(): EngineRuntime {
  if (runtime) return runtime;
  const c = config();
  runtime = {
    settings: {
      schedule: parseRetrySchedule(c.RETRY_SCHEDULE_SECONDS),
      jitter: c.RETRY_JITTER,
      maxQueueDelaySeconds: c.MAX_QUEUE_DELAY_SECONDS,
      disableAfterSeconds: c.ENDPOINT_DISABLE_AFTER_SECONDS,
    },
    policy: endpointPolicy(c.STAGE, c.ALLOWED_ENDPOINT_NETWORKS),
    sendTimeoutMs: c.SEND_TIMEOUT_MS,
    defaultRateLimit: c.DEFAULT_RATE_LIMIT_PER_SECOND,
    retentionSeconds: c.RETENTION_DAYS * 24 * 60 * 60,
    claimLeaseMs: Math.max(60_000, c.SEND_TIMEOUT_MS + 30_000),
    lane: c.LANE,
    slow: { slowLatencyMs: c.SLOW_LATENCY_MS, slowLaneSeconds: c.SLOW_LANE_SECONDS },
  };
  return runtime;
}

/** Forgets the derived settings (tests that change the environment). */
export function resetEngineRuntime(): void {
  runtime = undefined;
  config.reset();
}
