import { defineConfig } from '@switchyard/runtime';
import { z } from 'zod';

/** notifications' environment (provider.environment in serverless.yml), read once per container. */
export const config = defineConfig(
  z.object({
    /** `notifications-<stage>`: tenants, recipients, preferences, send marks, digest windows. */
    NOTIFICATIONS_TABLE: z.string().min(1),
    STAGE: z.string().min(1),
    /** How long a digest window stays open (default 15 minutes; `npm start` may shorten it). */
    DIGEST_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
    FROM_ADDRESS: z.email(),
    /** SES's configuration set every e-mail is sent with (bounces and complaints come back through it). */
    SES_CONFIGURATION_SET: z.string().min(1),
    /** Where the unsubscribe links point: the stage's public API. */
    PUBLIC_BASE_URL: z.url(),
    /** The local cloud's API address, which stands in for PUBLIC_BASE_URL there. */
    SWITCHYARD_LOCAL_API_URL: z.url().optional(),
  }),
);

/** What the preference routes also need: the people's token issuer (identity exports it). */
export const apiConfig = defineConfig(
  z.object({
    NOTIFICATIONS_TABLE: z.string().min(1),
    PEOPLE_ISSUER_URL: z.url(),
    PEOPLE_CLIENT_ID: z.string().min(1),
  }),
);
