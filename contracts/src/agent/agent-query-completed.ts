import { z } from 'zod';
import { defineContract } from '../contract';
import type { MessageOf } from '../contract';
import { identifier, timestamp } from '../fields';

export const AgentQueryCompleted = defineContract({
  service: 'agent',
  detailType: 'AgentQueryCompleted',
  version: 1,
  description:
    "The agent answered a question successfully; billing meters it against the tenant's " +
    '`agentQueriesPerMonth`. A failed, aborted or refused question publishes nothing.',
  body: {
    queryId: identifier().describe('The question (one turn of a conversation).'),
    conversationId: identifier(),
    userId: identifier().optional().describe('The person who asked; absent when an API key asked.'),
    apiKeyId: identifier().optional().describe('The API key that asked; absent when a person asked.'),
    model: z
      .string()
      .min(1)
      .max(200)
      .describe('Model id, e.g. anthropic.claude-3-5-haiku or switchyard-stand-in.'),
    inputTokens: z.number().int().nonnegative(),
    outputTokens: z.number().int().nonnegative(),
    toolCalls: z.number().int().nonnegative().describe('Tool calls made while answering.'),
    durationMs: z.number().int().nonnegative(),
    completedAt: timestamp(),
  },
});
export type AgentQueryCompleted = MessageOf<typeof AgentQueryCompleted>;
