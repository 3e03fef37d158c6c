import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { timestamp } from '../fields';

export const usageMetric = z.enum(['events', 'agent_queries']);

export const UsageThresholdReached = defineContract({
  service: 'billing',
  detailType: 'UsageThresholdReached',
  version: 1,
  description:
    "A tenant's usage crossed a share of a monthly limit in the current billing period. Published " +
    'once per tenant, metric, period and threshold (80 and 100 percent), however often the usage ' +
    'that crossed it is counted again.',
  body: {
    metric: usageMetric.describe(
      'events: accepted events (EventReceived); agent_queries: AgentQueryCompleted.',
    ),
    thresholdPercent: z.union([z.literal(80), z.literal(100)]),
    used: z
      .number()
      .int()
      .nonnegative()
      .describe('Usage counted in the period when the threshold was crossed.'),
    limit: z.number().int().nonnegative().describe("The plan's limit for the period."),
    plan: z.string().min(1).max(64),
    periodStart: timestamp(),
    periodEnd: timestamp().optional(),
    reachedAt: timestamp(),
  },
});
export type UsageThresholdReached = MessageOf<typeof UsageThresholdReached>;
