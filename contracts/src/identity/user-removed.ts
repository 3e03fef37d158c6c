import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { displayName, email, identifier, role, timestamp, userGroup, userStatus } from '../fields';

export const UserRemoved = defineContract({
  service: 'identity',
  detailType: 'UserRemoved',
  version: 1,
  description:
    'A user was removed from their tenant, for good: drop them from projections whatever arrives ' +
    'later about them. Carries their last state. Their sessions end and identity revokes the API ' +
    'keys they own; their e-mail address may later join again as a new user (a new user id).',
  body: {
    userId: identifier(),
    email: email(),
    displayName: displayName().optional(),
    groups: z.array(userGroup()).max(3),
    role: role(),
    status: userStatus().describe('Their status when they were removed.'),
    removedBy: identifier().optional().describe('A user id, `key:<keyId>` or an operator.'),
    removedAt: timestamp(),
  },
});
export type UserRemoved = MessageOf<typeof UserRemoved>;
