import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const ConnectionNeedsReauth = defineContract({
  service: 'identity',
  detailType: 'ConnectionNeedsReauth',
  version: 1,
  description:
    "A user's connection to a third-party provider stopped working and only the user can fix it by " +
    'signing in again; notifications tells them.',
  body: {
    userId: identifier(),
    connectionId: identifier().optional(),
    provider: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase provider slug')
      .describe('Provider slug, e.g. github, google, slack.'),
    reason: z.enum(['token_expired', 'token_revoked', 'scopes_changed', 'refresh_failed']),
    detectedAt: timestamp(),
  },
});
export type ConnectionNeedsReauth = MessageOf<typeof ConnectionNeedsReauth>;
