/**
 * The language model the agent uses, chosen by configuration (README "Providers"): Amazon Bedrock
 * (the function's role, no keys), Anthropic, any OpenAI-compatible endpoint (Ollama, vLLM), or the
 * stand-in model this project ships (the local default).
 */
import type { LanguageModelV2 } from '@ai-sdk/provider';
import { config } from '../config';
import { bedrockFetch } from './bedrock-fetch';
import { STAND_IN_MODEL_ID, standInModel } from './stand-in-model';

const DEFAULT_MODELS = {
  bedrock: 'anthropic.claude-3-5-haiku-20241022-v1:0',
  anthropic: 'claude-3-5-haiku-latest',
  'openai-compatible': 'llama3.2',
  'stand-in': STAND_IN_MODEL_ID,
} as const;

export interface ModelSettings {
  provider: keyof typeof DEFAULT_MODELS;
  modelId?: string;
  /** The provider's endpoint; required for openai-compatible, optional otherwise (a proxy, a VPC endpoint). */
  baseUrl?: string;
  apiKey?: string;
  region?: string;
  standInChunkDelayMs: number;
}

/**
 * A model for these settings; each adapter is tested against an HTTP fake of its provider's API.
 * Only the configured provider's code is evaluated (the bundle holds every provider, a container
 * runs one), which keeps the local cloud's workers smaller.
 */
export async function createLanguageModel(settings: ModelSettings): Promise<LanguageModelV2> {
  const modelId = settings.modelId ?? DEFAULT_MODELS[settings.provider];
  const baseURL = settings.baseUrl ? { baseURL: settings.baseUrl } : {};
  const apiKey = settings.apiKey ? { apiKey: settings.apiKey } : {};
  switch (settings.provider) {
    case 'bedrock': {
      const { createAmazonBedrock } = await import('@ai-sdk/amazon-bedrock');
      // Lambda's role credentials are in the environment; the provider reads and signs with them.
      return createAmazonBedrock({ region: settings.region, ...baseURL, fetch: bedrockFetch() })(modelId);
    }
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      return createAnthropic({ ...baseURL, ...apiKey })(modelId);
    }
    case 'openai-compatible': {
      if (!settings.baseUrl) throw new Error('AGENT_BASE_URL is required for the openai-compatible provider');
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      return createOpenAICompatible({ name: 'openai-compatible', baseURL: settings.baseUrl, ...apiKey })(
        modelId,
      );
    }
    default:
      return standInModel({ chunkDelayMs: settings.standInChunkDelayMs });
  }
}

let cached: Promise<LanguageModelV2> | undefined;

export function languageModel(): Promise<LanguageModelV2> {
  if (cached) return cached;
  const c = config();
  cached = createLanguageModel({
    provider: c.AGENT_PROVIDER,
    ...(c.AGENT_MODEL_ID ? { modelId: c.AGENT_MODEL_ID } : {}),
    ...(c.AGENT_BASE_URL ? { baseUrl: c.AGENT_BASE_URL } : {}),
    ...(c.AGENT_API_KEY ? { apiKey: c.AGENT_API_KEY } : {}),
    ...(process.env.AWS_REGION ? { region: process.env.AWS_REGION } : {}),
    standInChunkDelayMs: c.STAND_IN_CHUNK_DELAY_MS,
  });
  // A failed load (a misconfiguration) is retried by the next question, not cached.
  cached.catch(() => (cached = undefined));
  return cached;
}
