import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { email, identifier, timestamp } from '../fields';

export const profileField = z.enum(['displayName', 'email', 'locale', 'timezone']);

/**
 * Only the profile fields other services keep (notifications addresses and localises e-mails). Each
 * is present when it changed; other profile data stays in identity.
 */
const profileValues = z.object({
  displayName: z.string().min(1).max(200).optional(),
  email: email().optional(),
  locale: z.string().min(2).max(35).optional(),
  timezone: z.string().min(1).max(64).optional().describe('IANA time zone, e.g. Europe/Paris.'),
});

export const ProfileUpdated = defineContract({
  service: 'identity',
  detailType: 'ProfileUpdated',
  version: 1,
  description:
    'A user changed their profile. `old` and `new` hold only the fields listed in `changedFields` ' +
    '(the old e-mail lets notifications warn the previous address of an e-mail change).',
  body: {
    userId: identifier(),
    changedFields: z.array(profileField).min(1),
    old: profileValues,
    new: profileValues,
    updatedAt: timestamp(),
  },
});
export type ProfileUpdated = MessageOf<typeof ProfileUpdated>;
