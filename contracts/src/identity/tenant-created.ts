import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const TenantCreated = defineContract({
  service: 'identity',
  detailType: 'TenantCreated',
  version: 1,
  description: 'A tenant was created. The header `tenantId` is the new tenant.',
  body: {
    name: z.string().min(1).max(200).describe('Display name of the tenant (organisation).'),
    adminUserId: identifier().describe('The user who created the tenant and administers it.'),
    createdAt: timestamp(),
    checkoutSessionId: identifier()
      .optional()
      .describe('The Stripe Checkout session the tenant was created for (billing links its customer).'),
  },
});
export type TenantCreated = MessageOf<typeof TenantCreated>;
