import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { displayName, email, identifier, role, timestamp, userGroup, userStatus } from '../fields';

export const UserCreated = defineContract({
  service: 'identity',
  detailType: 'UserCreated',
  version: 1,
  description:
    'A user joined a tenant: its first admin at tenant creation, or a person a tenant admin invited. ' +
    "Carries what a projection of the tenant's people needs; later changes are UserUpdated (revision 2 " +
    'onwards; this is revision 1) and UserRemoved.',
  body: {
    userId: identifier(),
    email: email().describe('Address notifications are sent to.'),
    role: role().describe(
      'Permission level in the tenant, derived from the groups (kept for older consumers).',
    ),
    groups: z.array(userGroup()).max(3).optional().describe('Groups in the tenant; `Admins` administer it.'),
    status: userStatus().optional().describe('Always `active` for a new user.'),
    invitedBy: identifier()
      .optional()
      .describe(
        "Who invited them: a user id, `key:<keyId>` or an operator; absent for a tenant's first admin.",
      ),
    displayName: displayName().optional(),
    locale: z.string().min(2).max(35).optional().describe('BCP 47 language tag for e-mails, e.g. en-GB.'),
    createdAt: timestamp(),
  },
});
export type UserCreated = MessageOf<typeof UserCreated>;
