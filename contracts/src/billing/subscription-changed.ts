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
]);

/** What a tenant is entitled to; ingest enforces it from its own projection. */
export const quotas = z.object({
  eventsPerMonth: z.number().int().nonnegative(),
  requestsPerSecond: z.number().positive(),
});

const subscriptionState = z.object({
  status: subscriptionStatus,
  plan: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase plan slug')
    .describe('Plan slug, e.g. free, pro.'),
  quotas,
  currentPeriodEnd: timestamp().optional(),
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
