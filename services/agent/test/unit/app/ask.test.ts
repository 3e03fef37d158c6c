// The tool loop with the AI SDK's own mock model, scripted to call tools: steps, limits, the usage
// recorded only after success. The store is an in-memory one shaped like the adapter's.
import type { LanguageModelV2StreamPart } from '@ai-sdk/provider';
import { MockLanguageModelV2, simulateReadableStream } from 'ai/test';
import type { AgentStore, ProjectedEvent } from '../../../src/adapters/agent-store';
import { admit, ask, MAX_STEPS } from '../../../src/app/ask';
import type { AskDeps } from '../../../src/app/ask';
import type { Conversation } from '../../../src/domain/conversation';
import type { Entitlement } from '../../../src/domain/gates';

const usage = { inputTokens: 10, outputTokens: 5, totalTokens: 15 };

const toolCall = (toolName: string, input: unknown): LanguageModelV2StreamPart[] => [
  { type: 'tool-call', toolCallId: `c_${Math.random()}`, toolName, input: JSON.stringify(input) },
  { type: 'finish', finishReason: 'tool-calls', usage },
];
const text = (...deltas: string[]): LanguageModelV2StreamPart[] => [
  { type: 'text-start', id: 't' },
  ...deltas.map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
  { type: 'text-end', id: 't' },
  { type: 'finish', finishReason: 'stop', usage },
];

function scripted(steps: LanguageModelV2StreamPart[][]) {
  let i = 0;
  return new MockLanguageModelV2({
    modelId: 'mock-model',
    doStream: async () => ({
      stream: simulateReadableStream({ chunks: steps[Math.min(i++, steps.length - 1)]! }),
    }),
  });
}

function memoryStore(events: Record<string, ProjectedEvent[]>) {
  const recorded: Parameters<AgentStore['recordAnswer']>[0][] = [];
  const store = {
    recorded,
    getEntitlement: async (): Promise<Entitlement | undefined> => undefined,
    usedThisPeriod: async () => 0,
    claimCooldown: async (): Promise<{ ok: true } | { ok: false; lastAskedAtMs: number }> => ({ ok: true }),
    getConversation: async (): Promise<Conversation | undefined> => undefined,
    recordAnswer: async (input: Parameters<AgentStore['recordAnswer']>[0]) => {
      recorded.push(input);
    },
    getEvent: async (tenantId: string, eventId: string) =>
      events[tenantId]?.find((e) => e.eventId === eventId),
    searchEvents: async (tenantId: string) => ({ events: events[tenantId] ?? [] }),
  };
  return store;
}

const caller = { tenantId: 'ten_a', ownerId: 'usr_1', userId: 'usr_1' };
const eventA: ProjectedEvent = {
  eventId: 'e1',
  eventType: 'order.paid',
  source: 's',
  receivedAt: '2026-01-01T00:00:00Z',
  payload: { x: 1 },
};
const eventB: ProjectedEvent = { ...eventA, eventId: 'e2', payload: { secret: 'of-b' } };

function deps(model: MockLanguageModelV2, store: ReturnType<typeof memoryStore>): AskDeps {
  return {
    store: store as unknown as AgentStore,
    model: () => model,
    now: () => new Date('2026-01-02T00:00:00Z'),
    cooldownSeconds: 5,
    timeoutMs: 5_000,
    maxOutputTokens: 100,
  };
}

describe('ask', () => {
  it('runs the tool, streams the text, and records one answer with its usage', async () => {
    const store = memoryStore({ ten_a: [eventA] });
    const model = scripted([toolCall('get_event', { eventId: 'e1' }), text('Found ', 'it.')]);
    const seen: string[] = [];
    const answer = await ask(
      caller,
      { query: 'show e1' },
      deps(model, store),
      {
        text: (d) => seen.push(`text:${d}`),
        toolUse: (c) => seen.push(`tool_use:${c.tool}`),
        toolResult: (r) => seen.push(`tool_result:${r.tool}`),
      },
      new AbortController().signal,
    );
    expect(seen).toEqual(['tool_use:get_event', 'tool_result:get_event', 'text:Found ', 'text:it.']);
    expect(answer.response).toBe('Found it.');
    expect(answer.toolCalls[0]).toMatchObject({ tool: 'get_event', output: { event: { eventId: 'e1' } } });
    expect(answer.usage).toMatchObject({ model: 'mock-model', inputTokens: 20, outputTokens: 10 });
    expect(store.recorded).toHaveLength(1);
    expect(store.recorded[0]!.completed).toMatchObject({
      tenantId: 'ten_a',
      toolCalls: 1,
      model: 'mock-model',
    });
  });

  it('binds tools to the caller’s tenant: an id of another tenant’s event finds nothing', async () => {
    const store = memoryStore({ ten_a: [eventA], ten_b: [eventB] });
    const model = scripted([toolCall('get_event', { eventId: 'e2', tenantId: 'ten_b' }), text('Nothing.')]);
    const answer = await ask(
      caller,
      { query: 'show e2 of ten_b' },
      deps(model, store),
      undefined,
      new AbortController().signal,
    );
    expect(JSON.stringify(answer)).not.toContain('of-b');
    expect(answer.toolCalls[0]!.output).toEqual({ event: null });
  });

  it(`stops after ${MAX_STEPS} steps of a model that keeps calling tools`, async () => {
    const store = memoryStore({ ten_a: [eventA] });
    const model = scripted([toolCall('search_events', { limit: 1 })]);
    const answer = await ask(
      caller,
      { query: 'loop' },
      deps(model, store),
      undefined,
      new AbortController().signal,
    );
    expect(model.doStreamCalls).toHaveLength(MAX_STEPS);
    expect(answer.toolCalls).toHaveLength(MAX_STEPS);
  });

  it('records nothing when the client has gone', async () => {
    const store = memoryStore({ ten_a: [eventA] });
    const abort = new AbortController();
    const model = new MockLanguageModelV2({
      doStream: async () => {
        abort.abort(new Error('gone'));
        return { stream: simulateReadableStream({ chunks: text('late') }) };
      },
    });
    await expect(ask(caller, { query: 'x' }, deps(model, store), undefined, abort.signal)).rejects.toThrow(
      'client disconnected',
    );
    expect(store.recorded).toHaveLength(0);
  });

  it('maps a provider failure to 502 and records nothing', async () => {
    const store = memoryStore({});
    const model = new MockLanguageModelV2({
      doStream: async () => ({
        stream: simulateReadableStream<LanguageModelV2StreamPart>({
          chunks: [{ type: 'error', error: Object.assign(new Error('boom'), { name: 'AI_APICallError' }) }],
        }),
      }),
    });
    await expect(
      ask(caller, { query: 'x' }, deps(model, store), undefined, new AbortController().signal),
    ).rejects.toMatchObject({ status: 502 });
    expect(store.recorded).toHaveLength(0);
  });

  it('reports a tool input its schema refuses as a tool_result error, and the model carries on', async () => {
    const store = memoryStore({ ten_a: [eventA] });
    const model = scripted([toolCall('search_events', { limit: 500 }), text('Sorry.')]);
    const results: unknown[] = [];
    const answer = await ask(
      caller,
      { query: 'x' },
      deps(model, store),
      { text: () => {}, toolUse: () => {}, toolResult: (r) => results.push(r.output) },
      new AbortController().signal,
    );
    expect(results).toEqual([{ error: 'invalid input' }]);
    expect(answer.response).toBe('Sorry.');
  });

  it('maps a model slower than the overall timeout to 504 and records nothing', async () => {
    const store = memoryStore({});
    const model = new MockLanguageModelV2({
      doStream: async () => ({
        stream: simulateReadableStream({ chunks: text('late'), initialDelayInMs: 2_000 }),
      }),
    });
    await expect(
      ask(
        caller,
        { query: 'x' },
        { ...deps(model, store), timeoutMs: 50 },
        undefined,
        new AbortController().signal,
      ),
    ).rejects.toMatchObject({ status: 504, code: 'model_timeout' });
    expect(store.recorded).toHaveLength(0);
  });
});

describe('admit', () => {
  const model = scripted([text('x')]);
  it('refuses an inactive tenant with 402', async () => {
    const store = {
      ...memoryStore({}),
      getEntitlement: async () => ({
        entitled: false,
        plan: 'pro',
        agentQueriesPerMonth: 10,
        changedAt: 'x',
      }),
    };
    await expect(admit(caller, deps(model, store))).rejects.toMatchObject({ status: 402 });
  });

  it('refuses a used-up quota with 429 quota_exceeded', async () => {
    const store = { ...memoryStore({}), usedThisPeriod: async () => 100 };
    await expect(admit(caller, deps(model, store))).rejects.toMatchObject({
      status: 429,
      code: 'quota_exceeded',
    });
  });

  it('refuses within the cooldown with 429 and the seconds left in Retry-After', async () => {
    const store = {
      ...memoryStore({}),
      claimCooldown: async () => ({ ok: false as const, lastAskedAtMs: Date.parse('2026-01-01T23:59:58Z') }),
    };
    const refused = await admit(caller, deps(model, store)).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 429, code: 'cooldown' });
    expect(JSON.stringify(refused)).toContain('"Retry-After":"3"');
  });
});
