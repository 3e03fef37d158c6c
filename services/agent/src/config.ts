import { defineConfig } from '@switchyard/runtime';
import { z } from 'zod';

/**
 * The agent's environment (provider.environment in serverless.yml), read once per container.
 * Provider keys are never logged; on AWS Bedrock uses the function's role and needs none.
 */
export const config = defineConfig(
  z.object({
    /** `agent-<stage>`: gates, conversations, projections, key projection, outbox. */
    AGENT_TABLE: z.string().min(1),
    EVENT_BUS_NAME: z.string().min(1),
    STAGE: z.string().min(1),
    /**
     * Which model answers: `bedrock` (AWS default), `anthropic`, `openai-compatible` (Ollama, vLLM,
     * any /v1/chat/completions endpoint) or `stand-in` (the deterministic model this project ships,
     * the local default: no account needed).
     */
    AGENT_PROVIDER: z.enum(['bedrock', 'anthropic', 'openai-compatible', 'stand-in']).default('stand-in'),
    AGENT_MODEL_ID: z.string().min(1).max(200).optional(),
    /** Anthropic's or the OpenAI-compatible endpoint's base URL (tests point it at a fake). */
    AGENT_BASE_URL: z.url().optional(),
    AGENT_API_KEY: z.string().min(1).optional(),
    /** Pause between the stand-in model's chunks, like a real model's pace. */
    STAND_IN_CHUNK_DELAY_MS: z.coerce.number().int().min(0).max(5_000).default(40),
    /** Seconds a caller waits between two questions. */
    AGENT_COOLDOWN_SECONDS: z.coerce.number().int().min(0).max(3_600).default(5),
    /** The whole answer, tool steps included. */
    AGENT_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
    AGENT_MAX_OUTPUT_TOKENS: z.coerce.number().int().min(16).max(32_000).default(1_024),
    PEOPLE_ISSUER_URL: z.url(),
    PEOPLE_CLIENT_ID: z.string().min(1),
  }),
);
