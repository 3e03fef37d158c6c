import { defineConfig } from '@switchyard/runtime';
import { z } from 'zod';

/**
 * identity's environment (set in serverless.yml's provider.environment). Read once per container,
 * at first use, so a bad deploy fails loudly with the names of what is missing.
 */
export const config = defineConfig(
  z.object({
    /** The single identity table (`identity-<stage>`), see src/adapters/README.md. */
    TABLE_NAME: z.string().min(1),
    /** The platform bus; the outbox publisher sends to it. */
    EVENT_BUS_NAME: z.string().min(1),
    /** Stage name: production stages issue `sy_live_` keys, every other stage `sy_test_` keys. */
    STAGE: z.string().min(1),
    /** How people sign in: the local Cognito-compatible issuer or Cognito. */
    AUTH_MODE: z.enum(['local', 'cognito']).default('cognito'),
  }),
);

export type IdentityConfig = ReturnType<typeof config>;

/** Where invitations come from and where they send people to sign in. */
export const invitationConfig = defineConfig(
  z.object({
    SIGN_IN_FROM_ADDRESS: z.string().min(3).default('no-reply@switchyard.local'),
    /** The web app's sign-in page for this stage, when there is one (empty: none). */
    SIGN_IN_URL: z.preprocess((value) => (value === '' ? undefined : value), z.url().optional()),
    /** Set by the local cloud only: the API people sign in through there. */
    SWITCHYARD_LOCAL_API_URL: z.url().optional(),
  }),
);
