import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, role, timestamp } from '../fields';

/** The mutable part of a key, small enough to send whole as old and new. */
const apiKeyState = z.object({
  status: z.enum(['active', 'inactive']),
  role: role(),
  expiresAt: timestamp().optional().describe('Absent: the key does not expire.'),
});

export const ApiKeyUpdated = defineContract({
  service: 'identity',
  detailType: 'ApiKeyUpdated',
  version: 1,
  description:
    'An API key was activated, deactivated, changed role or expiry. Revocation is final and has its ' +
    'own event (ApiKeyRevoked). Events may arrive out of order: apply one only if `updatedAt` is newer ' +
    'than what the projection holds.',
  body: {
    keyId: identifier(),
    old: apiKeyState,
    new: apiKeyState,
    updatedBy: identifier().optional(),
    updatedAt: timestamp(),
  },
});
export type ApiKeyUpdated = MessageOf<typeof ApiKeyUpdated>;
