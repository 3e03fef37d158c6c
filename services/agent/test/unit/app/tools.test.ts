// The tools over an in-memory store shaped like the adapter's: each reads only the tenant bound from
// the credential, whatever the model passes.
import type { AgentStore, ProjectedEvent, WebhookProblem } from '../../../src/adapters/agent-store';
import { agentTools } from '../../../src/app/tools';
import type { Entitlement } from '../../../src/domain/gates';

const now = () => new Date('2026-03-10T12:00:00Z');
const event = (tenant: string, eventId: string, eventType: string): ProjectedEvent => ({
  eventId,
  eventType,
  source: 'shop',
  receivedAt: '2026-03-10T10:00:00Z',
  payload: { tenant },
});
const exhausted = (eventId: string): WebhookProblem => ({
  kind: 'message_exhausted',
  subscriptionId: 'sub_1',
  at: '2026-03-10T11:00:00Z',
  eventId,
  attempts: 8,
  error: 'timeout',
});

function store(data: {
  events: Record<string, ProjectedEvent[]>;
  problems: Record<string, WebhookProblem[]>;
  entitlements?: Record<string, Entitlement>;
  used?: Record<string, number>;
}) {
  const asked: string[] = [];
  const s = {
    asked,
    getEvent: async (tenantId: string, eventId: string) => {
      asked.push(tenantId);
      return data.events[tenantId]?.find((e) => e.eventId === eventId);
    },
    searchEvents: async (tenantId: string) => {
      asked.push(tenantId);
      return { events: data.events[tenantId] ?? [] };
    },
    searchWebhookProblems: async (tenantId: string) => {
      asked.push(tenantId);
      return { problems: data.problems[tenantId] ?? [] };
    },
    getEntitlement: async (tenantId: string) => data.entitlements?.[tenantId],
    usedThisPeriod: async (tenantId: string, period: string) => data.used?.[`${tenantId}|${period}`] ?? 0,
    listThresholds: async () => [],
  };
  return s;
}

const run = async (
  tools: ReturnType<typeof agentTools>,
  name: keyof ReturnType<typeof agentTools>,
  input: unknown,
) =>
  // The SDK validates input against inputSchema before execute; here the parsed input is passed.
  (tools[name].execute as (input: unknown, options: unknown) => Promise<unknown>)(
    (tools[name].inputSchema as { parse: (v: unknown) => unknown }).parse(input),
    { toolCallId: 't', messages: [] },
  );

describe('agent tools', () => {
  const data = {
    events: {
      ten_a: [event('a', 'e1', 'order.paid'), event('a', 'e2', 'order.refunded')],
      ten_b: [event('b', 'e9', 'secret.type')],
    },
    problems: {
      ten_a: [
        exhausted('e1'),
        exhausted('e1'),
        exhausted('e2'),
        {
          kind: 'endpoint_disabled' as const,
          subscriptionId: 'sub_2',
          at: '2026-03-10T11:30:00Z',
          url: 'https://a.example/h',
          reason: 'gone',
        },
      ],
      ten_b: [exhausted('e9')],
    },
  };

  it('webhook_problems counts given-up messages by the event’s type, from the caller’s tenant only', async () => {
    const s = store(data);
    const out = (await run(agentTools('ten_a', s as unknown as AgentStore, now), 'webhook_problems', {})) as {
      problems: (WebhookProblem & { eventType?: string })[];
      byEventType: Record<string, number>;
    };
    expect(out.byEventType).toEqual({ 'order.paid': 2, 'order.refunded': 1 });
    expect(out.problems.map((p) => p.eventType ?? p.kind)).toEqual([
      'order.paid',
      'order.paid',
      'order.refunded',
      'endpoint_disabled',
    ]);
    expect(new Set(s.asked)).toEqual(new Set(['ten_a']));
  });

  it('get_event takes no tenant: an extra tenantId in the input is dropped by the schema', async () => {
    const s = store(data);
    const out = await run(agentTools('ten_a', s as unknown as AgentStore, now), 'get_event', {
      eventId: 'e9',
      tenantId: 'ten_b',
    });
    expect(out).toEqual({ event: null });
    expect(s.asked).toEqual(['ten_a']);
  });

  it('refuses invalid input with the tool’s zod schema', () => {
    const tools = agentTools('ten_a', store(data) as unknown as AgentStore, now);
    expect(() =>
      (tools.search_events.inputSchema as { parse: (v: unknown) => unknown }).parse({ limit: 500 }),
    ).toThrow();
    expect(() =>
      (tools.event_stats.inputSchema as { parse: (v: unknown) => unknown }).parse({ bucket: 'week' }),
    ).toThrow();
  });

  it('usage: the free plan when billing never spoke, the agent’s count of this month', async () => {
    const s = store({ ...data, used: { 'ten_a|2026-03': 7 } });
    const out = await run(agentTools('ten_a', s as unknown as AgentStore, now), 'usage', {});
    expect(out).toMatchObject({
      plan: 'free',
      entitled: true,
      period: '2026-03',
      agentQueries: { used: 7, limit: 100 },
    });
  });

  it('usage: the billing period billing gave, and its plan’s allowance', async () => {
    const s = store({
      ...data,
      entitlements: {
        ten_a: {
          entitled: true,
          plan: 'pro',
          agentQueriesPerMonth: 1000,
          eventsPerMonth: 5_000_000,
          periodStart: '2026-03-05T00:00:00Z',
          changedAt: '2026-03-05T00:00:00Z',
        },
      },
      used: { 'ten_a|2026-03-05': 12 },
    });
    const out = await run(agentTools('ten_a', s as unknown as AgentStore, now), 'usage', {});
    expect(out).toMatchObject({
      plan: 'pro',
      period: '2026-03-05',
      agentQueries: { used: 12, limit: 1000 },
      eventsPerMonth: 5_000_000,
    });
  });
});
