import { defineConfig } from '@switchyard/runtime';
import { z } from 'zod';

/**
 * ingest's environment (provider.environment in serverless.yml). Read once per container at first
 * use, so a bad deploy fails loudly naming what is missing.
 */
export const config = defineConfig(
  z.object({
    /** Events, idempotency records and the inbox index (see src/adapters/README.md). */
    EVENTS_TABLE: z.string().min(1),
    /** Projections (API keys, entitlements), rate-limit windows and usage counters. */
    STATE_TABLE: z.string().min(1),
    /** Claim-check store for payloads too large for one EventBridge entry. */
    PAYLOAD_BUCKET: z.string().min(1),
    /** The platform bus EventReceived goes to. */
    EVENT_BUS_NAME: z.string().min(1),
    STAGE: z.string().min(1),
  }),
);

export type IngestConfig = ReturnType<typeof config>;
