import { defineConfig } from '@switchyard/runtime';
import { z } from 'zod';

/** ops' environment (serverless.yml's provider.environment), read once per container. */
export const config = defineConfig(
  z.object({
    /** `ops-<stage>-audit`, see src/adapters/README.md. */
    AUDIT_TABLE: z.string().min(1),
    /** The platform bus; the outbox publisher sends to it. */
    EVENT_BUS_NAME: z.string().min(1),
    STAGE: z.string().min(1),
    /** Audit records are kept this long from their start (DynamoDB TTL), past a yearly review. */
    AUDIT_RETENTION_DAYS: z.coerce.number().int().positive().default(400),
  }),
);
