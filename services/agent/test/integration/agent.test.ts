// The agent against the real local cloud (identity + agent): questions asked with the demo tenant's
// key, answers from the stand-in model and from a real HTTP fake of an OpenAI-compatible endpoint,
// streamed through the local Function URL route, the bus watched from outside.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { NEGATIVE_CACHE_TTL_MS } from '@switchyard/access';
import { LOCAL_CREDENTIALS, OperatorApi } from '@switchyard/cli/src/api';
import { bearerRequest, eventually, startLocalCloud, tapBus } from '@switchyard/local-cloud';
import type { BusTap, RunningLocalCloud } from '@switchyard/local-cloud';
import { listEmails } from '@switchyard/local-cloud/src/emulators/ses';
import { parseSse } from '../../src/domain/sse';
import { startOpenAiFake } from './support/openai-fake';
import type { OpenAiFake } from './support/openai-fake';

let cloud: RunningLocalCloud;
let tap: BusTap;
let events: EventBridgeClient;
let lambda: LambdaClient;
let fake: OpenAiFake;
let doc: DynamoDBDocumentClient;
let a: { tenantId: string; key: string };
let b: { tenantId: string; key: string; adminEmail: string };

const api = <T = unknown>(token: string | undefined, method: string, path: string, body?: unknown) =>
  bearerRequest<T>(cloud, token, method, path, body);

/** Publishes as `source` would (the header filled in here). */
async function publish(source: string, detailType: string, detail: Record<string, unknown>) {
  await events.send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: `switchyard-${cloud.stage}-bus`,
          Source: source,
          DetailType: detailType,
          Detail: JSON.stringify({
            version: 1,
            id: randomUUID(),
            time: new Date().toISOString(),
            correlationId: randomUUID(),
            ...detail,
          }),
        },
      ],
    }),
  );
}

async function configure(fn: 'askQuery' | 'askStream', variables: Record<string, string>) {
  const FunctionName = `agent-${cloud.stage}-${fn}`;
  const current = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName }));
  await lambda.send(
    new UpdateFunctionConfigurationCommand({
      FunctionName,
      Environment: { Variables: { ...(current.Environment?.Variables ?? {}), ...variables } },
    }),
  );
}

interface StreamRead {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** When each SSE frame arrived (ms since epoch), in order. */
  frames: { event: string; data: unknown; at: number }[];
}

/** POSTs to the stream route and reads frames as they arrive; `stopAfter` closes the connection early. */
function stream(token: string, body: unknown, stopAfter?: (frames: StreamRead['frames']) => boolean) {
  return new Promise<StreamRead>((resolve, reject) => {
    const url = new URL('/agent/stream', cloud.apiUrl);
    const payload = JSON.stringify(body);
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        const out: StreamRead = { status: res.statusCode ?? 0, headers: res.headers, text: '', frames: [] };
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          out.text += chunk;
          pending += chunk;
          let end = pending.indexOf('\n\n');
          while (end >= 0) {
            const [frame] = parseSse(pending.slice(0, end + 2));
            pending = pending.slice(end + 2);
            if (frame) out.frames.push({ ...frame, at: Date.now() });
            end = pending.indexOf('\n\n');
          }
          if (stopAfter?.(out.frames)) {
            req.destroy();
            resolve(out);
          }
        });
        res.on('end', () => resolve(out));
        res.on('error', () => resolve(out));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

/** A person signs in with the code identity e-mails (the local SES keeps it) and gets a JWT. */
async function signIn(email: string): Promise<string> {
  const login = await api(undefined, 'POST', '/auth/login', { email });
  expect(login.status).toBe(202);
  const code = await eventually(
    async () => {
      const mails = (await listEmails(cloud.endpoints.ses)).filter((m) => m.destination.to.includes(email));
      return /\b(\d{6})\b/.exec(mails.at(-1)?.body.text ?? '')?.[1];
    },
    { what: `the sign-in code for ${email}` },
  );
  const verify = await api<{ idToken: string }>(undefined, 'POST', '/auth/verify', {
    email,
    code,
  });
  expect(verify.status).toBe(200);
  return verify.body.idToken;
}

/** Questions the agent counted for a tenant this calendar month (what it charges). */
async function answeredThisMonth(tenantId: string): Promise<number> {
  const { Item } = await doc.send(
    new GetCommand({
      TableName: `agent-${cloud.stage}`,
      Key: { pk: `TENANT#${tenantId}`, sk: `USAGE#${new Date().toISOString().slice(0, 7)}` },
      ConsistentRead: true,
    }),
  );
  return Number(Item?.answered ?? 0);
}

beforeAll(async () => {
  cloud = await startLocalCloud({ services: ['identity', 'agent'], timeoutMs: 230_000 });
  const common = { region: cloud.region, credentials: LOCAL_CREDENTIALS };
  events = new EventBridgeClient({ ...common, endpoint: cloud.endpoints.events });
  lambda = new LambdaClient({ ...common, endpoint: cloud.endpoints.lambda });
  doc = DynamoDBDocumentClient.from(new DynamoDBClient({ ...common, endpoint: cloud.endpoints.dynamodb }));
  tap = await tapBus(cloud, 'switchyard.agent');
  fake = await startOpenAiFake({ chunks: ['The ', 'answer ', 'comes ', 'in ', 'pieces.'], delayMs: 200 });
  if (!cloud.tenantId || !cloud.apiKey) throw new Error(`no demo tenant: ${cloud.missing.join(', ')}`);
  a = { tenantId: cloud.tenantId, key: cloud.apiKey };
  const operator = new OperatorApi({
    baseUrl: cloud.apiUrl,
    region: cloud.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const adminEmail = `agent-b-${Date.now()}@example.com`;
  const created = await operator.request<{ tenant: { tenantId: string }; apiKey: { key: string } }>(
    'POST',
    '/operator/tenants',
    { body: { name: `Agent B ${Date.now()}`, adminEmail } },
  );
  b = { tenantId: created.tenant.tenantId, key: created.apiKey.key, adminEmail };
  for (const key of [a.key, b.key]) {
    await eventually(
      async () => ((await api(key, 'GET', '/agent/conversations')).status === 401 ? undefined : true),
      { what: 'the key to reach the agent' },
    );
  }
  await new Promise((resolve) => setTimeout(resolve, NEGATIVE_CACHE_TTL_MS + 100));
}, 240_000);

afterAll(async () => {
  tap?.close();
  await fake?.close();
  events?.destroy();
  lambda?.destroy();
  doc?.destroy();
  await cloud?.stop();
});

describe('agent', () => {
  const secretPayloadOfB = `b-secret-${randomUUID()}`;
  const eventOfA = `evt_a${Date.now()}`;
  const eventOfB = `evt_b${Date.now()}`;

  beforeAll(async () => {
    const receivedAt = new Date().toISOString();
    await publish('switchyard.ingest', 'EventReceived', {
      tenantId: a.tenantId,
      eventId: eventOfA,
      eventType: 'order.paid',
      source: 'shop',
      receivedAt,
      payload: { orderId: 'o-1', amount: 42 },
    });
    await publish('switchyard.ingest', 'EventReceived', {
      tenantId: b.tenantId,
      eventId: eventOfB,
      eventType: 'order.paid',
      source: 'shop',
      receivedAt,
      payload: { note: secretPayloadOfB },
    });
  });

  it('answers /agent/query from the tenant’s own events with the stand-in model, then makes the caller wait 5 s', async () => {
    const answer = await eventually<{
      status: number;
      body: {
        response: string;
        toolCalls: { tool: string }[];
        conversationId: string;
        usage: { model: string };
      };
    }>(
      async () => {
        const r = await api<{
          response: string;
          toolCalls: { tool: string }[];
          conversationId: string;
          usage: { model: string };
        }>(a.key, 'POST', '/agent/query', { query: `show event ${eventOfA}` });
        if (r.status === 429) return undefined;
        expect(r.status).toBe(200);
        return r.body.response.includes('o-1') ? r : undefined;
      },
      { what: 'the event to reach the agent', timeoutMs: 30_000 },
    );
    expect(answer.body.toolCalls.map((c) => c.tool)).toEqual(['get_event']);
    expect(answer.body.usage.model).toBe('switchyard-stand-in');
    expect(answer.body.conversationId).toMatch(/^conv_/);

    const again = await api<{ error: { code: string } }>(a.key, 'POST', '/agent/query', {
      query: 'recent events',
    });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(again.headers.get('retry-after'))).toBeLessThanOrEqual(5);

    const published = await tap.take((seen) =>
      seen.some(
        (e) =>
          e['detail-type'] === 'AgentQueryCompleted' &&
          e.detail.conversationId === answer.body.conversationId,
      ),
    );
    const completed = published.find((e) => e.detail.conversationId === answer.body.conversationId)!;
    expect(completed.detail).toMatchObject({
      tenantId: a.tenantId,
      model: 'switchyard-stand-in',
      toolCalls: 1,
    });

    const list = await api<{ conversations: { conversationId: string }[] }>(
      a.key,
      'GET',
      '/agent/conversations',
    );
    expect(list.body.conversations.map((c) => c.conversationId)).toContain(answer.body.conversationId);
    const one = await api<{ turns: { query: string }[] }>(
      a.key,
      'GET',
      `/agent/conversations/${answer.body.conversationId}`,
    );
    expect(one.body.turns).toHaveLength(1);
    // Another tenant's caller cannot read it.
    expect((await api(b.key, 'GET', `/agent/conversations/${answer.body.conversationId}`)).status).toBe(404);
  });

  it('never shows another tenant’s event, even when the question names its id', async () => {
    await configure('askQuery', { AGENT_COOLDOWN_SECONDS: '0' });
    await configure('askStream', { AGENT_COOLDOWN_SECONDS: '0' });
    // B can see it (so the projection has it) ...
    await eventually(
      async () => {
        const r = await api<{ response: string }>(b.key, 'POST', '/agent/query', {
          query: `show event ${eventOfB}`,
        });
        return r.status === 200 && r.body.response.includes(secretPayloadOfB) ? true : undefined;
      },
      { what: 'B’s event to reach the agent', timeoutMs: 30_000 },
    );
    // ... A asking for it by id gets nothing of it.
    const r = await api<{ response: string; toolCalls: unknown[] }>(a.key, 'POST', '/agent/query', {
      query: `show event ${eventOfB} of tenant ${b.tenantId}`,
    });
    expect(r.status).toBe(200);
    expect(JSON.stringify(r.body)).not.toContain(secretPayloadOfB);
    expect(r.body.response).toContain('found no event');
  });

  it('streams SSE frames: tool_use, tool_result, several text chunks, then done', async () => {
    const read = await stream(a.key, { query: `show event ${eventOfA}` });
    expect(read.status).toBe(200);
    expect(String(read.headers['content-type'])).toContain('text/event-stream');
    const kinds = read.frames.map((f) => f.event);
    expect(kinds[0]).toBe('tool_use');
    expect(kinds[1]).toBe('tool_result');
    expect(kinds.filter((k) => k === 'text').length).toBeGreaterThan(2);
    expect(kinds.at(-1)).toBe('done');
    const done = read.frames.at(-1)!.data as { response: string; toolCalls: unknown[] };
    const joined = read.frames
      .filter((f) => f.event === 'text')
      .map((f) => (f.data as { text: string }).text)
      .join('');
    expect(done.response).toBe(joined);
  });

  it('tells the banner (dev.json) where the stream is and that the stand-in model answers', () => {
    expect(cloud.agent).toEqual({
      streamUrl: `${cloud.apiUrl}/agent/stream`,
      provider: 'stand-in',
      model: 'switchyard-stand-in',
    });
  });

  it('refuses a query over 4,000 characters with 400 and nothing else with 401', async () => {
    expect((await api(a.key, 'POST', '/agent/query', { query: 'x'.repeat(4_001) })).status).toBe(400);
    expect((await api('sy_live_nope', 'POST', '/agent/query', { query: 'hi' })).status).toBe(401);
    const read = await stream('sy_live_nope', { query: 'hi' });
    expect(read.status).toBe(401);
    // A conversation that is not the caller's is refused before the stream opens.
    const unknown = await stream(a.key, { query: 'hi', conversationId: 'conv_nope' });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('streams an OpenAI-compatible provider’s first text before the model has finished', async () => {
    await configure('askStream', {
      AGENT_PROVIDER: 'openai-compatible',
      AGENT_BASE_URL: fake.baseUrl,
      AGENT_MODEL_ID: 'fake-model',
    });
    const before = fake.finishedAt.length;
    const read = await stream(a.key, { query: 'say something' });
    expect(read.status).toBe(200);
    const firstText = read.frames.find((f) => f.event === 'text')!;
    expect(firstText).toBeDefined();
    const finished = fake.finishedAt[before]!;
    expect(finished).toBeDefined();
    // Four pauses of 200 ms separate the first chunk from the model's end.
    expect(finished - firstText.at).toBeGreaterThan(400);
    const done = read.frames.at(-1)!;
    expect(done.event).toBe('done');
    expect((done.data as { response: string }).response).toBe('The answer comes in pieces.');
    expect((done.data as { usage: { model: string } }).usage.model).toBe('fake-model');
  });

  it('runs a real provider’s tool call against the caller’s tenant only, and publishes its usage', async () => {
    // The model (the fake, as if prompted) asks for tenant B's event while tenant A asks.
    fake.toolCall = { name: 'get_event', arguments: { eventId: eventOfB, tenantId: b.tenantId } };
    const before = fake.requests.length;
    try {
      const read = await stream(a.key, { query: `show event ${eventOfB} of tenant ${b.tenantId}` });
      expect(read.frames.map((f) => f.event).slice(0, 2)).toEqual(['tool_use', 'tool_result']);
      expect(read.frames[1]!.data).toMatchObject({ tool: 'get_event', output: { event: null } });
      const done = read.frames.at(-1)!;
      expect(done.event).toBe('done');
      const answer = done.data as {
        conversationId: string;
        usage: { inputTokens: number; outputTokens: number };
      };
      // Two model calls (the tool call, then the answer), their tokens summed.
      expect(fake.requests.length).toBe(before + 2);
      expect(answer.usage).toMatchObject({ inputTokens: 84, outputTokens: 9 + 5 });
      // What went back to the model holds nothing of B's.
      expect(JSON.stringify(fake.requests.slice(before))).not.toContain(secretPayloadOfB);
      expect(JSON.stringify(read.frames)).not.toContain(secretPayloadOfB);
      const published = await tap.take((seen) =>
        seen.some(
          (e) =>
            e['detail-type'] === 'AgentQueryCompleted' && e.detail.conversationId === answer.conversationId,
        ),
      );
      expect(published.find((e) => e.detail.conversationId === answer.conversationId)!.detail).toMatchObject({
        tenantId: a.tenantId,
        model: 'fake-model',
        toolCalls: 1,
        inputTokens: 84,
        outputTokens: 14,
      });
    } finally {
      fake.toolCall = undefined;
    }
  });

  it('maps a provider failure to an SSE error and to 502 on /agent/query, charging nothing', async () => {
    await configure('askQuery', {
      AGENT_PROVIDER: 'openai-compatible',
      AGENT_BASE_URL: fake.baseUrl,
      AGENT_MODEL_ID: 'fake-model',
    });
    fake.failWith = 400;
    try {
      const r = await api<{ error: { code: string } }>(a.key, 'POST', '/agent/query', { query: 'hello' });
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('model_error');
      const read = await stream(a.key, { query: 'hello' });
      expect(read.frames.map((f) => f.event)).toEqual(['error']);
    } finally {
      fake.failWith = undefined;
    }
  });

  it('aborts the model call when the client disconnects, and charges nothing', async () => {
    const countBefore = await answeredThisMonth(a.tenantId);
    const requestsBefore = fake.requests.length;
    const finishedBefore = fake.finishedAt.length;
    const read = await stream(a.key, { query: 'say something' }, (frames) =>
      frames.some((f) => f.event === 'text'),
    );
    expect(read.frames.some((f) => f.event === 'done')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(fake.requests.length).toBe(requestsBefore + 1);
    // The fake saw its connection closed before it could finish.
    expect(fake.finishedAt.length).toBe(finishedBefore);
    expect(await answeredThisMonth(a.tenantId)).toBe(countBefore);
  });

  it('answers which event types failed to reach webhooks from delivery’s problems, the tenant’s own only', async () => {
    await configure('askQuery', { AGENT_PROVIDER: 'stand-in' });
    const at = new Date().toISOString();
    const urlOfB = `https://b-${randomUUID()}.example.com/hook`;
    await publish('switchyard.delivery', 'MessageExhausted', {
      tenantId: a.tenantId,
      subscriptionId: 'sub_a',
      eventId: eventOfA,
      webhookMessageId: `msg_${randomUUID()}`,
      attempts: 8,
      lastError: { statusCode: 503, message: 'Service Unavailable' },
      exhaustedAt: at,
    });
    await publish('switchyard.delivery', 'EndpointDisabled', {
      tenantId: a.tenantId,
      subscriptionId: 'sub_a',
      url: 'https://a.example.com/hook',
      reason: 'failing',
      disabledAt: at,
    });
    await publish('switchyard.delivery', 'EndpointDisabled', {
      tenantId: b.tenantId,
      subscriptionId: 'sub_b',
      url: urlOfB,
      reason: 'gone',
      disabledAt: at,
    });
    const answer = await eventually(
      async () => {
        const r = await api<{ response: string; toolCalls: { tool: string; output: unknown }[] }>(
          a.key,
          'POST',
          '/agent/query',
          { query: 'which event types failed to reach webhooks today?' },
        );
        return r.status === 200 && r.body.response.includes('a.example.com') ? r.body : undefined;
      },
      { what: 'the webhook problems to reach the agent', timeoutMs: 30_000 },
    );
    expect(answer.toolCalls.map((c) => c.tool)).toEqual(['webhook_problems']);
    expect(answer.response).toContain('order.paid: 1');
    expect(JSON.stringify(answer)).not.toContain(urlOfB);
  });

  it('answers about the plan and usage from the agent’s own count', async () => {
    const r = await api<{ response: string; toolCalls: { tool: string; output: { plan: string } }[] }>(
      a.key,
      'POST',
      '/agent/query',
      { query: 'what is my usage this month?' },
    );
    expect(r.status).toBe(200);
    expect(r.body.toolCalls.map((c) => c.tool)).toEqual(['usage']);
    const used = await answeredThisMonth(a.tenantId);
    // The count read before this answer was recorded.
    expect(r.body.response).toContain(`free plan; you asked ${used - 1} of 100`);
  });

  it('answers a person signed in with identity’s JWT, and keeps their conversations apart from the key’s', async () => {
    const token = await signIn(b.adminEmail);
    await configure('askStream', { AGENT_PROVIDER: 'stand-in' });
    const read = await stream(token, { query: `show event ${eventOfB}` });
    expect(read.status).toBe(200);
    const done = read.frames.at(-1)!;
    expect(done.event).toBe('done');
    const { conversationId, response } = done.data as { conversationId: string; response: string };
    expect(response).toContain(secretPayloadOfB);
    const mine = await api<{ conversations: { conversationId: string }[] }>(
      token,
      'GET',
      '/agent/conversations',
    );
    expect(mine.body.conversations.map((c) => c.conversationId)).toEqual([conversationId]);
    // The same tenant's API key is another caller: it does not see the person's conversation.
    expect((await api(b.key, 'GET', `/agent/conversations/${conversationId}`)).status).toBe(404);
    // A follow-up in the same conversation keeps both turns.
    const next = await stream(token, { query: 'recent events', conversationId });
    expect(next.frames.at(-1)!.event).toBe('done');
    const one = await api<{ turns: { query: string }[] }>(
      token,
      'GET',
      `/agent/conversations/${conversationId}`,
    );
    expect(one.body.turns.map((t) => t.query)).toEqual([`show event ${eventOfB}`, 'recent events']);
  });

  it('refuses an inactive tenant with 402 and a used-up quota with 429 quota_exceeded', async () => {
    const state = (entitled: boolean, agentQueriesPerMonth: number) => ({
      status: entitled ? 'active' : 'canceled',
      plan: 'pro',
      quotas: { eventsPerMonth: 1000, requestsPerSecond: 10, agentQueriesPerMonth },
      entitled,
    });
    await publish('switchyard.billing', 'SubscriptionChanged', {
      tenantId: b.tenantId,
      subscriptionId: 'sub_agent_b',
      new: state(false, 100),
      changedAt: new Date().toISOString(),
    });
    await eventually(
      async () =>
        (await api(b.key, 'POST', '/agent/query', { query: 'recent events' })).status === 402
          ? true
          : undefined,
      { what: 'the entitlement to reach the agent' },
    );
    await publish('switchyard.billing', 'SubscriptionChanged', {
      tenantId: b.tenantId,
      subscriptionId: 'sub_agent_b',
      new: state(true, 0),
      changedAt: new Date(Date.now() + 1000).toISOString(),
    });
    const refused = await eventually<{ status: number; body: { error: { code: string } } }>(
      async () => {
        const r = await api<{ error: { code: string } }>(b.key, 'POST', '/agent/query', {
          query: 'recent events',
        });
        return r.status === 429 ? r : undefined;
      },
      { what: 'the new quota to reach the agent' },
    );
    expect(refused.body.error.code).toBe('quota_exceeded');
  });
});
