import { defineConfig } from '@switchyard/runtime';
import { z } from 'zod';

/** activity's environment (provider.environment in serverless.yml), read once per container. */
export const config = defineConfig(
  z.object({
    /** `activity-<stage>`: people, comments, reactions, counters, outbox. */
    ACTIVITY_TABLE: z.string().min(1),
    EVENT_BUS_NAME: z.string().min(1),
    STAGE: z.string().min(1),
    /** Comments one person may write per minute, across every instance (default 10). */
    COMMENTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(10),
    /** Where message attachments are uploaded (presigned POST) and read (presigned GET). */
    ATTACHMENTS_BUCKET: z.string().min(1),
    /** Largest attachment the upload form allows (default 10 MB). */
    MAX_ATTACHMENT_BYTES: z.coerce
      .number()
      .int()
      .min(1)
      .default(10 * 1024 * 1024),
  }),
);
