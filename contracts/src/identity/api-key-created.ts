import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { email, identifier, role, sha256Hex, timestamp } from '../fields';

export const apiKeyStatus = z.enum(['active', 'inactive', 'revoked']);

export const ApiKeyCreated = defineContract({
  service: 'identity',
  detailType: 'ApiKeyCreated',
  version: 1,
  description:
    'An API key was issued. Ingest keeps a projection of keys from this and the ApiKeyUpdated / ' +
    'ApiKeyRevoked events, so it can authenticate requests without calling identity. The secret ' +
    'itself is shown once to its owner and never published.',
  body: {
    keyId: identifier(),
    name: z.string().min(1).max(200).optional().describe('Label the owner gave the key.'),
    role: role(),
    status: apiKeyStatus,
    secretHash: sha256Hex().describe(
      'SHA-256 of the high-entropy secret; a presented key is valid when its hash matches.',
    ),
    ownerEmail: email().optional(),
    createdBy: identifier().optional().describe('User who created the key.'),
    createdAt: timestamp(),
    expiresAt: timestamp().optional().describe('Absent: the key does not expire.'),
  },
});
export type ApiKeyCreated = MessageOf<typeof ApiKeyCreated>;
