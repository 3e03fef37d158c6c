/**
 * Answering a question: the gates (the tenant's entitlement and quota, the caller's cooldown), the
 * model with its tools (at most 5 steps, a timeout, an output limit), then, only once the answer is
 * complete, the period's count, the conversation and AgentQueryCompleted in one transaction. A
 * refused, failed or abandoned question records and charges nothing.
 */
import { randomUUID } from 'node:crypto';
import type { LanguageModelV2 } from '@ai-sdk/provider';
import { HttpError, paymentRequired, tooManyRequests } from '@switchyard/runtime';
import { APICallError, stepCountIs, streamText } from 'ai';
import type { AgentCaller } from '../adapters/caller';
import type { AgentStore } from '../adapters/agent-store';
import { agentStore } from '../adapters/agent-store';
import { languageModel } from '../adapters/model';
import type { AskRequest } from '../api-schemas';
import { config } from '../config';
import { appendTurn, historyMessages } from '../domain/conversation';
import type { Conversation, ToolCallView } from '../domain/conversation';
import { cooldownRemaining, decideEntitlement, freePlan } from '../domain/gates';
import { agentTools } from './tools';

export const MAX_STEPS = 5;

export interface AskDeps {
  store: AgentStore;
  model: () => LanguageModelV2 | Promise<LanguageModelV2>;
  now: () => Date;
  cooldownSeconds: number;
  timeoutMs: number;
  maxOutputTokens: number;
  /** Set when the gates already ran (the stream admits before it opens). */
  admitted?: Admitted;
}

export const askDeps = (): AskDeps => {
  const c = config();
  return {
    store: agentStore(),
    model: languageModel,
    now: () => new Date(),
    cooldownSeconds: c.AGENT_COOLDOWN_SECONDS,
    timeoutMs: c.AGENT_TIMEOUT_MS,
    maxOutputTokens: c.AGENT_MAX_OUTPUT_TOKENS,
  };
};

/** Where the answer goes as it is produced (the SSE stream; nothing for /agent/query). */
export interface AnswerSink {
  text(delta: string): void;
  toolUse(call: { id: string; tool: string; input: unknown }): void;
  toolResult(result: { id: string; tool: string; output: unknown }): void;
}

export interface Answer {
  response: string;
  toolCalls: ToolCallView[];
  conversationId: string;
  usage: { model: string; inputTokens: number; outputTokens: number; durationMs: number };
}

const SYSTEM_PROMPT =
  "You are Switchyard's assistant. You answer a tenant's questions about their own platform data " +
  '(events received, their types and counts) using the tools, and only from what the tools return. ' +
  'You cannot see any other tenant; if asked about data the tools do not return, say you found nothing.';

/** The model failed (502) or took too long (504): the platform's error shape, no provider detail. */
export const modelFailed = () => new HttpError(502, 'model_error', 'The model could not answer; try again.');
export const modelTimedOut = () => new HttpError(504, 'model_timeout', 'The model took too long to answer.');

export interface Admitted {
  period: string;
  conversation?: Conversation;
}

/**
 * Everything that can refuse a question, before any byte of an answer: the conversation it
 * continues (404 if not the caller's; checked first, so a wrong id costs no cooldown), then the gates.
 */
export async function prepare(caller: AgentCaller, request: AskRequest, deps: AskDeps): Promise<Admitted> {
  let conversation: Conversation | undefined;
  if (request.conversationId) {
    conversation = await deps.store.getConversation(caller.tenantId, caller.ownerId, request.conversationId);
    if (!conversation) throw new HttpError(404, 'not_found', 'No such conversation.');
  }
  const { period } = await admit(caller, deps);
  return { period, ...(conversation ? { conversation } : {}) };
}

/** The gates, before anything is spent: 402/429 from the entitlement, 429 with Retry-After from the cooldown. */
export async function admit(caller: AgentCaller, deps: AskDeps): Promise<{ period: string }> {
  const now = deps.now();
  const entitlement = (await deps.store.getEntitlement(caller.tenantId)) ?? freePlan();
  const period = decideEntitlement(entitlement, 0, now);
  if (!period.ok && period.reason === 'inactive') {
    throw paymentRequired("The tenant's subscription does not include the agent now.", {
      code: 'subscription_inactive',
    });
  }
  const used = await deps.store.usedThisPeriod(caller.tenantId, period.ok ? period.period : '');
  const decision = decideEntitlement(entitlement, used, now);
  if (!decision.ok) {
    throw new HttpError(429, 'quota_exceeded', 'The agent query quota of this billing period is used up.');
  }
  // A cooldown of 0 (configuration) is no cooldown: no write, and no race between two instants.
  if (deps.cooldownSeconds === 0) return { period: decision.period };
  const claim = await deps.store.claimCooldown(
    caller.tenantId,
    caller.ownerId,
    now.getTime(),
    deps.cooldownSeconds,
  );
  if (!claim.ok) {
    const retryAfter = Math.max(
      1,
      cooldownRemaining(claim.lastAskedAtMs, deps.cooldownSeconds, now.getTime()),
    );
    throw tooManyRequests({
      retryAfterSeconds: retryAfter,
      code: 'cooldown',
      message: 'Wait a few seconds between two questions.',
    });
  }
  return { period: decision.period };
}

export async function ask(
  caller: AgentCaller,
  request: AskRequest,
  deps: AskDeps,
  sink: AnswerSink | undefined,
  signal: AbortSignal,
): Promise<Answer> {
  const { period, conversation } = deps.admitted ?? (await prepare(caller, request, deps));
  const started = performance.now();
  const timeout = AbortSignal.timeout(deps.timeoutMs);
  const model = await deps.model();
  const toolCalls: (ToolCallView & { id: string })[] = [];
  const invalidCalls = new Set<string>();
  let response = '';
  const context = request.context
    ? `\n\nWhat the person is looking at: ${JSON.stringify(request.context)}`
    : '';
  try {
    const result = streamText({
      model,
      system: SYSTEM_PROMPT,
      messages: [...historyMessages(conversation), { role: 'user', content: request.query + context }],
      tools: agentTools(caller.tenantId, deps.store, deps.now),
      stopWhen: stepCountIs(MAX_STEPS),
      maxOutputTokens: deps.maxOutputTokens,
      maxRetries: 1,
      abortSignal: AbortSignal.any([signal, timeout]),
      // The error arrives as a part of fullStream below and is mapped there; the SDK's default
      // would print the provider's raw error to the log.
      onError: () => {},
    });
    for await (const part of result.fullStream) {
      switch (part.type) {
        case 'text-delta':
          response += part.text;
          sink?.text(part.text);
          break;
        case 'tool-call':
          if (part.invalid) invalidCalls.add(part.toolCallId);
          toolCalls.push({ id: part.toolCallId, tool: part.toolName, input: part.input });
          sink?.toolUse({ id: part.toolCallId, tool: part.toolName, input: part.input });
          break;
        case 'tool-result': {
          const call = toolCalls.find((c) => c.id === part.toolCallId);
          if (call) call.output = part.output;
          sink?.toolResult({ id: part.toolCallId, tool: part.toolName, output: part.output });
          break;
        }
        case 'tool-error': {
          // Input the tool's schema refused, or a tool that failed: the model sees the error and
          // may retry; the caller sees which, without the tool's internals.
          const output = { error: invalidCalls.has(part.toolCallId) ? 'invalid input' : 'tool failed' };
          const call = toolCalls.find((c) => c.id === part.toolCallId);
          if (call) call.output = output;
          sink?.toolResult({ id: part.toolCallId, tool: part.toolName, output });
          break;
        }
        case 'error':
          throw part.error;
        case 'abort':
          throw signal.aborted ? signal.reason : modelTimedOut();
        default:
          break;
      }
    }
    const usage = await result.totalUsage;
    const durationMs = Math.round(performance.now() - started);
    if (signal.aborted) throw signal.reason;
    const now = deps.now();
    const queryId = `q_${randomUUID()}`;
    const conversationId = conversation?.conversationId ?? `conv_${randomUUID().replace(/-/g, '')}`;
    const views = toolCalls.map(({ tool, input, output }) => ({ tool, input, output }));
    const base: Conversation = conversation ?? {
      conversationId,
      tenantId: caller.tenantId,
      ownerId: caller.ownerId,
      turns: [],
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    const answer: Answer = {
      response,
      toolCalls: views,
      conversationId,
      usage: {
        model: model.modelId,
        inputTokens: usage.inputTokens ?? 0,
        outputTokens: usage.outputTokens ?? 0,
        durationMs,
      },
    };
    await deps.store.recordAnswer({
      period,
      nowMs: now.getTime(),
      conversation: appendTurn(base, {
        queryId,
        query: request.query,
        response,
        toolCalls: views,
        askedAt: now.toISOString(),
      }),
      completed: {
        tenantId: caller.tenantId,
        queryId,
        conversationId,
        ...(caller.userId ? { userId: caller.userId } : {}),
        ...(caller.apiKeyId ? { apiKeyId: caller.apiKeyId } : {}),
        model: model.modelId.slice(0, 200),
        inputTokens: answer.usage.inputTokens,
        outputTokens: answer.usage.outputTokens,
        toolCalls: views.length,
        durationMs,
        completedAt: now.toISOString(),
      },
    });
    return answer;
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (signal.aborted) throw new ClientGone();
    if (timeout.aborted) throw modelTimedOut();
    if (APICallError.isInstance(error) || isProviderError(error)) throw modelFailed();
    throw error;
  }
}

/** The client went away mid-answer: nothing is recorded or charged. */
export class ClientGone extends Error {
  constructor() {
    super('client disconnected');
    this.name = 'ClientGone';
  }
}

function isProviderError(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name ?? '';
  return name.startsWith('AI_');
}
