import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const subscriptionStatus = z.enum([
  'active',
  'trialing',
  'past_due',
  'canceled',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'paused',
]);

/** What a tenant is entitled to; ingest enforces it from its own projection. */
export const quotas = z.object({
  eventsPerMonth: z.number().int().nonnegative(),
  requestsPerSecond: z.number().positive(),
  agentQueriesPerMonth: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe("Questions the agent answers per billing period; absent: the free plan's."),
  webhookEndpoints: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe("Webhook subscriptions the tenant may keep; absent: the free plan's."),
});

const subscriptionState = z.object({
  status: subscriptionStatus,
  plan: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase plan slug')
    .describe('Plan slug, e.g. free, pro.'),
  quotas,
  currentPeriodStart: timestamp()
    .optional()
    .describe('Start of the billing period usage is counted in (not the calendar month).'),
  currentPeriodEnd: timestamp().optional(),
  entitled: z
    .boolean()
    .optional()
    .describe(
      'Whether the tenant may use the platform now, decided by billing (a `past_due` subscription ' +
        'stays entitled for a grace period). Absent: entitled when `status` is active or trialing.',
    ),
});

export const SubscriptionChanged = defineContract({
  service: 'billing',
  detailType: 'SubscriptionChanged',
  version: 1,
  description:
    "A tenant's subscription was created or changed (status, plan or quotas). `new` is the complete " +
    'current state; `old` is absent when the subscription is new. Events may arrive out of order: ' +
    'apply one only if `changedAt` is newer than what the projection holds.',
  body: {
    subscriptionId: identifier().describe('Stripe subscription id.'),
    customerId: identifier().optional().describe('Stripe customer id.'),
    old: subscriptionState.optional(),
    new: subscriptionState,
    changedAt: timestamp(),
  },
});
export type SubscriptionChanged = MessageOf<typeof SubscriptionChanged>;
