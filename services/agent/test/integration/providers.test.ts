// Each provider adapter against a real HTTP fake of that provider's streaming API: the agent's tool
// loop runs over it (a tool call, the tool's tenant-bound result sent back, then streamed text), and
// the usage the provider reported is what the agent records. The OpenAI-compatible adapter is
// exercised through the local cloud in agent.test.ts.
import type { AgentStore, ProjectedEvent } from '../../src/adapters/agent-store';
import { createLanguageModel } from '../../src/adapters/model';
import { ask } from '../../src/app/ask';
import type { AskDeps } from '../../src/app/ask';
import { startAnthropicFake, startBedrockFake } from './support/provider-fakes';
import type { ProviderFake, Turn } from './support/provider-fakes';

const event: ProjectedEvent = {
  eventId: 'evt_1',
  eventType: 'order.paid',
  source: 'shop',
  receivedAt: '2026-03-01T00:00:00Z',
  payload: { orderId: 'o-7' },
};
const turns: Turn[] = [
  { tool: 'get_event', input: { eventId: 'evt_1' } },
  { text: ['Order ', 'o-7 ', 'was paid.'] },
];

function run(fake: ProviderFake, provider: 'anthropic' | 'bedrock') {
  const recorded: unknown[] = [];
  const store = {
    getEvent: async (tenantId: string, eventId: string) =>
      tenantId === 'ten_a' && eventId === event.eventId ? event : undefined,
    recordAnswer: async (input: unknown) => {
      recorded.push(input);
    },
  };
  const deps: AskDeps = {
    store: store as unknown as AgentStore,
    model: () =>
      createLanguageModel({
        provider,
        modelId: provider === 'bedrock' ? 'anthropic.claude-fake-v1:0' : 'claude-fake',
        baseUrl: fake.baseUrl,
        apiKey: 'test-key',
        region: 'us-east-1',
        standInChunkDelayMs: 0,
      }),
    now: () => new Date('2026-03-01T01:00:00Z'),
    cooldownSeconds: 5,
    timeoutMs: 10_000,
    maxOutputTokens: 256,
    admitted: { period: '2026-03' },
  };
  const texts: string[] = [];
  const answer = ask(
    { tenantId: 'ten_a', ownerId: 'usr_1', userId: 'usr_1' },
    { query: 'show event evt_1' },
    deps,
    { text: (d) => texts.push(d), toolUse: () => {}, toolResult: () => {} },
    new AbortController().signal,
  );
  return { answer, texts, recorded };
}

describe.each([
  ['anthropic', startAnthropicFake],
  ['bedrock', startBedrockFake],
] as const)('the %s adapter', (provider, start) => {
  let fake: ProviderFake;
  const saved = { ...process.env };
  beforeAll(async () => {
    fake = await start(turns);
    // Bedrock signs with the role's credentials from the environment, as in Lambda.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret' });
  });
  afterAll(async () => {
    process.env = saved;
    await fake.close();
  });

  it('runs the tool loop over the provider’s streaming API and records its usage', async () => {
    const { answer, texts, recorded } = run(fake, provider);
    const done = await answer;
    expect(texts).toEqual(['Order ', 'o-7 ', 'was paid.']);
    expect(done.response).toBe('Order o-7 was paid.');
    expect(done.toolCalls).toEqual([{ tool: 'get_event', input: { eventId: 'evt_1' }, output: { event } }]);
    // Two steps: the tool call, then the answer; the provider's token counts summed.
    expect(done.usage).toMatchObject({ inputTokens: 60, outputTokens: 14 });
    expect(recorded).toHaveLength(1);
    expect(fake.requests).toHaveLength(2);
    // The second request carried the tool's result back to the model.
    expect(JSON.stringify(fake.requests[1]!.body)).toContain('o-7');
    const headers = fake.requests[0]!.headers;
    if (provider === 'anthropic') {
      expect(fake.requests[0]!.url).toBe('/v1/messages');
      expect(headers['x-api-key']).toBe('test-key');
    } else {
      expect(fake.requests[0]!.url).toBe(
        `/model/${encodeURIComponent('anthropic.claude-fake-v1:0')}/converse-stream`,
      );
      expect(String(headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
    }
  });
});
