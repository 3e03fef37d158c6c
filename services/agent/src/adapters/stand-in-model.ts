/**
 * The stand-in model: a small deterministic language model this project ships so the agent runs
 * with no provider account (the local default). It is not an AI: it routes a few question forms to
 * the tools ("show event evt_…", "the last order.paid event", "how many events…") and answers from
 * their results, streaming its answer a few words at a time with a short pause, as a real model does.
 */
import type {
  LanguageModelV2,
  LanguageModelV2CallOptions,
  LanguageModelV2Content,
  LanguageModelV2Prompt,
  LanguageModelV2StreamPart,
} from '@ai-sdk/provider';

export const STAND_IN_MODEL_ID = 'switchyard-stand-in';

type Plan =
  { kind: 'tool'; toolName: string; input: Record<string, unknown> } | { kind: 'text'; text: string };

const EVENT_ID = /\b(evt_[A-Za-z0-9_-]+|[0-9A-HJKMNP-TV-Z]{26})\b/;
const EVENT_TYPE = /\b([a-z][a-z0-9_-]*\.[a-z0-9_.-]*[a-z0-9])\b/;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: { type?: string; text?: string }) => (part.type === 'text' ? (part.text ?? '') : ''))
    .join('');
}

/** What to do next: a tool call for a fresh question, an answer once the tool's result is in. */
export function standInPlan(prompt: LanguageModelV2Prompt): Plan {
  const lastUser = prompt.map((m) => m.role).lastIndexOf('user');
  const question = lastUser >= 0 ? textOf(prompt[lastUser]!.content) : '';
  const results = prompt
    .slice(lastUser + 1)
    .filter((m) => m.role === 'tool')
    .flatMap((m) => m.content)
    .filter((part) => part.type === 'tool-result');
  const last = results.at(-1);
  if (last) return { kind: 'text', text: describe(last.toolName, outputValue(last.output)) };

  const id = EVENT_ID.exec(question)?.[1];
  if (id) return { kind: 'tool', toolName: 'get_event', input: { eventId: id } };
  if (/\bwebhooks?\b|\b(failed|failing|deliver(y|ed)?)\b/i.test(question)) {
    return { kind: 'tool', toolName: 'webhook_problems', input: {} };
  }
  if (/\b(usage|quota|plan|allowance|limit)\b/i.test(question)) {
    return { kind: 'tool', toolName: 'usage', input: {} };
  }
  if (/\b(how many|count|stats|statistics|per hour|per day)\b/i.test(question)) {
    return {
      kind: 'tool',
      toolName: 'event_stats',
      input: { bucket: /hour/i.test(question) ? 'hour' : 'day' },
    };
  }
  if (/\b(event|events)\b/i.test(question)) {
    const eventType = EVENT_TYPE.exec(question)?.[1];
    const one = /\b(last|latest|most recent)\b/i.test(question) && !/\bevents\b/i.test(question);
    return {
      kind: 'tool',
      toolName: 'search_events',
      input: { ...(eventType ? { eventType } : {}), limit: one ? 1 : 5 },
    };
  }
  return {
    kind: 'text',
    text:
      'I am the stand-in model, so I only understand a few questions: "show event <id>", ' +
      '"the last <type> event", "recent events", "how many events per day", "which events failed ' +
      'to reach webhooks" and "my usage".',
  };
}

function outputValue(output: unknown): unknown {
  const o = output as { type?: string; value?: unknown };
  return o && (o.type === 'json' || o.type === 'text') ? o.value : output;
}

function describe(toolName: string, value: unknown): string {
  const v = value as Record<string, unknown> | undefined;
  if (toolName === 'get_event') {
    const event = v?.event as Record<string, unknown> | undefined;
    if (!event) return 'I found no event with that id in your events.';
    return `Event ${String(event.eventId)} of type ${String(event.eventType)} from ${String(event.source)} arrived at ${String(event.receivedAt)}. Its payload: ${JSON.stringify(event.payload ?? {})}.`;
  }
  if (toolName === 'search_events') {
    const events = (v?.events as Record<string, unknown>[] | undefined) ?? [];
    if (events.length === 0) return 'I found no matching events in your events.';
    const lines = events.map((e) => `${String(e.eventId)} (${String(e.eventType)}, ${String(e.receivedAt)})`);
    return `I found ${events.length} event${events.length === 1 ? '' : 's'}: ${lines.join('; ')}.`;
  }
  if (toolName === 'event_stats') {
    const buckets = (v?.buckets as { bucket: string; eventType: string; count: number }[] | undefined) ?? [];
    if (buckets.length === 0) return 'You have no events in that period.';
    return `Counts: ${buckets.map((b) => `${b.bucket} ${b.eventType}: ${b.count}`).join('; ')}.`;
  }
  if (toolName === 'webhook_problems') {
    const problems = (v?.problems as Record<string, unknown>[] | undefined) ?? [];
    if (problems.length === 0) return 'Your webhooks had no delivery problems in that period.';
    const byType = Object.entries((v?.byEventType as Record<string, number> | undefined) ?? {});
    const disabled = problems.filter((p) => p.kind === 'endpoint_disabled').map((p) => String(p.url));
    const parts = [
      byType.length > 0
        ? `Messages given up on, by event type: ${byType.map(([t, n]) => `${t}: ${n}`).join('; ')}.`
        : '',
      disabled.length > 0 ? `Endpoints disabled: ${disabled.join(', ')}.` : '',
    ];
    return parts.filter(Boolean).join(' ');
  }
  if (toolName === 'usage') {
    const q = v?.agentQueries as { used?: number; limit?: number } | undefined;
    return `You are on the ${String(v?.plan)} plan${v?.entitled === false ? ' (not entitled now)' : ''}; you asked ${String(q?.used)} of ${String(q?.limit)} agent questions in the period ${String(v?.period)}.`;
  }
  return `The ${toolName} tool said: ${JSON.stringify(value)}.`;
}

/** A few words per chunk, so a client sees the answer grow. */
function chunksOf(text: string): string[] {
  const words = text.split(/(?<= )/);
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += 4) chunks.push(words.slice(i, i + 4).join(''));
  return chunks;
}

const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));
const promptTokens = (prompt: LanguageModelV2Prompt) => tokens(JSON.stringify(prompt));

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    });
  });

export function standInModel(options: { chunkDelayMs: number }): LanguageModelV2 {
  return {
    specificationVersion: 'v2',
    provider: 'switchyard',
    modelId: STAND_IN_MODEL_ID,
    supportedUrls: {},
    async doGenerate(call: LanguageModelV2CallOptions) {
      const plan = standInPlan(call.prompt);
      const content: LanguageModelV2Content[] =
        plan.kind === 'tool'
          ? [
              {
                type: 'tool-call',
                toolCallId: `call_${plan.toolName}`,
                toolName: plan.toolName,
                input: JSON.stringify(plan.input),
              },
            ]
          : [{ type: 'text', text: plan.text }];
      const output = plan.kind === 'tool' ? JSON.stringify(plan.input) : plan.text;
      return {
        content,
        finishReason: plan.kind === 'tool' ? 'tool-calls' : 'stop',
        usage: {
          inputTokens: promptTokens(call.prompt),
          outputTokens: tokens(output),
          totalTokens: undefined,
        },
        warnings: [],
      };
    },
    async doStream(call: LanguageModelV2CallOptions) {
      const plan = standInPlan(call.prompt);
      const { chunkDelayMs } = options;
      const signal = call.abortSignal;
      const stream = new ReadableStream<LanguageModelV2StreamPart>({
        async start(controller) {
          try {
            controller.enqueue({ type: 'stream-start', warnings: [] });
            const inputTokens = promptTokens(call.prompt);
            if (plan.kind === 'tool') {
              const input = JSON.stringify(plan.input);
              controller.enqueue({
                type: 'tool-call',
                toolCallId: `call_${plan.toolName}_${Date.now()}`,
                toolName: plan.toolName,
                input,
              });
              controller.enqueue({
                type: 'finish',
                finishReason: 'tool-calls',
                usage: { inputTokens, outputTokens: tokens(input), totalTokens: undefined },
              });
            } else {
              controller.enqueue({ type: 'text-start', id: 't0' });
              const chunks = chunksOf(plan.text);
              for (const [index, delta] of chunks.entries()) {
                if (index > 0) await sleep(chunkDelayMs, signal);
                controller.enqueue({ type: 'text-delta', id: 't0', delta });
              }
              controller.enqueue({ type: 'text-end', id: 't0' });
              controller.enqueue({
                type: 'finish',
                finishReason: 'stop',
                usage: { inputTokens, outputTokens: tokens(plan.text), totalTokens: undefined },
              });
            }
            controller.close();
          } catch (error) {
            controller.error(error);
          }
        },
      });
      return { stream };
    },
  };
}
