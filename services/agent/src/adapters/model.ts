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
import { STAND_IN_MODEL_ID, standInModel } from './stand-in-model';

const DEFAULT_MODELS = {
  bedrock: 'anthropic.claude-3-5-haiku-20241022-v1:0',
  anthropic: 'claude-3-5-haiku-latest',
  'openai-compatible': 'llama3.2',
  'stand-in': STAND_IN_MODEL_ID,
} as const;

let cached: LanguageModelV2 | undefined;

export function languageModel(): LanguageModelV2 {
  if (cached) return cached;
  const c = config();
  const modelId = c.AGENT_MODEL_ID ?? DEFAULT_MODELS[c.AGENT_PROVIDER];
  switch (c.AGENT_PROVIDER) {
    case 'bedrock':
      // Lambda's role credentials are in the environment; the provider reads them there.
      cached = createAmazonBedrock({ region: process.env.AWS_REGION })(modelId);
      break;
    case 'anthropic':
      cached = createAnthropic({
        ...(c.AGENT_BASE_URL ? { baseURL: c.AGENT_BASE_URL } : {}),
        ...(c.AGENT_API_KEY ? { apiKey: c.AGENT_API_KEY } : {}),
      })(modelId);
      break;
    case 'openai-compatible':
      if (!c.AGENT_BASE_URL) throw new Error('AGENT_BASE_URL is required for the openai-compatible provider');
      cached = createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: c.AGENT_BASE_URL,
        ...(c.AGENT_API_KEY ? { apiKey: c.AGENT_API_KEY } : {}),
      })(modelId);
      break;
    default:
      cached = standInModel({ chunkDelayMs: c.STAND_IN_CHUNK_DELAY_MS });
  }
  return cached;
}
