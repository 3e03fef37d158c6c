import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const PersonActivityChanged = defineContract({
  service: 'activity',
  detailType: 'PersonActivityChanged',
  version: 1,
  description:
    "A person's activity counters changed: their visible comments and when they last acted. The " +
    'values are totals, and `countersVersion` grows with every change, so a consumer keeps the highest.',
  body: {
    userId: identifier(),
    commentCount: z.number().int().nonnegative(),
    lastActiveAt: timestamp().optional(),
    countersVersion: z.number().int().positive(),
  },
});
export type PersonActivityChanged = MessageOf<typeof PersonActivityChanged>;
