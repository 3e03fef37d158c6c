import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const ApiKeyRevoked = defineContract({
  service: 'identity',
  detailType: 'ApiKeyRevoked',
  version: 1,
  description: 'An API key was revoked for good; consumers must stop accepting it, whatever came before.',
  body: {
    keyId: identifier(),
    revokedAt: timestamp(),
    revokedBy: identifier().optional().describe('User who revoked the key; absent when the platform did.'),
    reason: z.string().min(1).max(500).optional(),
  },
});
export type ApiKeyRevoked = MessageOf<typeof ApiKeyRevoked>;
