import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { displayName, email, identifier, role, timestamp, userGroup, userStatus } from '../fields';

/** A user as other services keep them: the whole state, sent as `old` and `new`. */
export const userState = z.object({
  email: email(),
  displayName: displayName().optional().describe('Absent: the person has not set one.'),
  groups: z.array(userGroup()).max(3),
  role: role().describe('Derived from the groups.'),
  status: userStatus(),
});

export const userField = z.enum(['email', 'displayName', 'groups', 'status']);

export const UserUpdated = defineContract({
  service: 'identity',
  detailType: 'UserUpdated',
  version: 1,
  description:
    'A user changed: groups or status (a tenant admin), or display name (the person, through their ' +
    'profile). `old` and `new` are the whole state; `changedFields` says what differs. `revision` ' +
    'grows by one with every change of the user (UserCreated is revision 1): apply an update only if ' +
    'its revision is higher than the one held. A suspended person can no longer sign in or refresh, ' +
    'and identity revokes the API keys they own.',
  body: {
    userId: identifier(),
    changedFields: z.array(userField).min(1),
    old: userState,
    new: userState,
    revision: z.number().int().min(2),
    updatedBy: identifier().optional().describe('A user id, `key:<keyId>` or an operator.'),
    updatedAt: timestamp(),
  },
});
export type UserUpdated = MessageOf<typeof UserUpdated>;
