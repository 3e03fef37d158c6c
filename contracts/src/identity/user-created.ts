import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { email, identifier, role, timestamp } from '../fields';

export const UserCreated = defineContract({
  service: 'identity',
  detailType: 'UserCreated',
  version: 1,
  description: 'A user joined a tenant. Carries what notifications need to reach them.',
  body: {
    userId: identifier(),
    email: email().describe('Address notifications are sent to.'),
    role: role().describe('Permission level in the tenant (the user pool group).'),
    displayName: z.string().min(1).max(200).optional(),
    locale: z.string().min(2).max(35).optional().describe('BCP 47 language tag for e-mails, e.g. en-GB.'),
    createdAt: timestamp(),
  },
});
export type UserCreated = MessageOf<typeof UserCreated>;
