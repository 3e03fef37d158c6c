/**
 * The language model the agent uses, chosen by configuration (README "Providers"): Amazon Bedrock
 * (the function's role, no keys), Anthropic, any OpenAI-compatible endpoint (Ollama, vLLM), or the
 * stand-in model this project ships (the local default).
 */
import { createAmazonBedrock } from '@ai-sdk/amazon-bedrock';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
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

/** A model for these settings; each adapter is tested against an HTTP fake of its provider's API. */
export function createLanguageModel(settings: ModelSettings): LanguageModelV2 {
  const modelId = settings.modelId ?? DEFAULT_MODELS[settings.provider];
  const baseURL = settings.baseUrl ? { baseURL: settings.baseUrl } : {};
  switch (settings.provider) {
    case 'bedrock':
      // Lambda's role credentials are in the environment; the provider reads and signs with them.
      return createAmazonBedrock({ region: settings.region, ...baseURL, fetch: bedrockFetch() })(modelId);
    case 'anthropic':
      return createAnthropic({ ...baseURL, ...(settings.apiKey ? { apiKey: settings.apiKey } : {}) })(
        modelId,
      );
    case 'openai-compatible':
      if (!settings.baseUrl) throw new Error('AGENT_BASE_URL is required for the openai-compatible provider');
      return createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: settings.baseUrl,
        ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
      })(modelId);
    default:
      return standInModel({ chunkDelayMs: settings.standInChunkDelayMs });
  }
}

let cached: LanguageModelV2 | undefined;

export function languageModel(): LanguageModelV2 {
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
  return cached;
}
