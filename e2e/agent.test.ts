// e2e, black-box (identity + billing + agent in one local cloud): an operator creates a tenant; its
// admin signs in with the code from the local mailbox, asks the agent through POST /agent/stream
// (the stand-in model, no account), reads the streamed answer as it arrives, finds the conversation
// stored, and billing's usage shows the one agent query (AgentQueryCompleted through the agent's
// outbox, the bus and billing's meter).
import { LOCAL_CREDENTIALS, OperatorApi } from '@switchyard/cli/src/api';
import { bearerRequest, eventually, startLocalCloud } from '@switchyard/local-cloud';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import { listEmails } from '@switchyard/local-cloud/src/emulators/ses';

let cloud: RunningLocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ services: ['identity', 'billing', 'agent'], timeoutMs: 240_000 });
}, 300_000);

afterAll(async () => {
  await cloud?.stop();
});

async function signIn(email: string): Promise<string> {
  const login = await bearerRequest(cloud, undefined, 'POST', '/auth/login', { email });
  expect(login.status).toBe(202);
  const code = await eventually(
    async () => {
      const mails = (await listEmails(cloud.endpoints.ses)).filter((m) => m.destination.to.includes(email));
      return /\b(\d{6})\b/.exec(mails.at(-1)?.body.text ?? '')?.[1];
    },
    { what: `the sign-in code for ${email}`, timeoutMs: 60_000 },
  );
  const verify = await bearerRequest<{ idToken: string }>(cloud, undefined, 'POST', '/auth/verify', {
    email,
    code,
  });
  expect(verify.status).toBe(200);
  return verify.body.idToken;
}

/** Reads /agent/stream as it arrives: each SSE frame with the time it came. */
async function ask(token: string, query: string) {
  const started = Date.now();
  const response = await fetch(`${cloud.apiUrl}/agent/stream`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const frames: { event: string; data: Record<string, unknown>; atMs: number }[] = [];
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    let end = pending.indexOf('\n\n');
    while (end >= 0) {
      const block = pending.slice(0, end);
      pending = pending.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown>;
      frames.push({ event, data, atMs: Date.now() - started });
      end = pending.indexOf('\n\n');
    }
  }
  return { status: response.status, contentType: response.headers.get('content-type'), frames };
}

describe('the agent, end to end', () => {
  it('a person signs in, asks through /agent/stream, reads the answer as it streams, and billing counts one agent query', async () => {
    const operator = new OperatorApi({
      baseUrl: cloud.apiUrl,
      region: cloud.region,
      credentials: LOCAL_CREDENTIALS,
    });
    const email = `agent-e2e-${Date.now()}@example.com`;
    await operator.request('POST', '/operator/tenants', {
      body: { name: `Agent E2E ${Date.now()}`, adminEmail: email },
    });
    const token = await signIn(email);

    // Billing starts the new tenant on the free plan (from TenantCreated); its usage reads zero.
    const before = await eventually(
      async () => {
        const r = await bearerRequest<{ usage: { agent_queries: { used: number } } }>(
          cloud,
          token,
          'GET',
          '/billing/usage',
        );
        return r.status === 200 ? r.body : undefined;
      },
      { what: 'billing to know the tenant', timeoutMs: 60_000 },
    );
    expect(before.usage.agent_queries.used).toBe(0);

    const read = await ask(token, 'how many events per day?');
    expect(read.status).toBe(200);
    expect(read.contentType).toContain('text/event-stream');
    const kinds = read.frames.map((f) => f.event);
    expect(kinds.slice(0, 2)).toEqual(['tool_use', 'tool_result']);
    expect(kinds.at(-1)).toBe('done');
    const texts = read.frames.filter((f) => f.event === 'text');
    expect(texts.length).toBeGreaterThan(1);
    // The answer grew on the client: its first text arrived before its last.
    expect(texts.at(-1)!.atMs).toBeGreaterThan(texts[0]!.atMs);
    const done = read.frames.at(-1)!.data as { response: string; conversationId: string };
    expect(done.response).toBe(texts.map((t) => String(t.data.text)).join(''));
    console.log(
      `agent e2e: first text after ${texts[0]!.atMs} ms, done after ${read.frames.at(-1)!.atMs} ms, ${texts.length} text chunks`,
    );

    const conversations = await bearerRequest<{ conversations: { conversationId: string }[] }>(
      cloud,
      token,
      'GET',
      '/agent/conversations',
    );
    expect(conversations.body.conversations.map((c) => c.conversationId)).toEqual([done.conversationId]);

    const after = await eventually(
      async () => {
        const r = await bearerRequest<{ usage: { agent_queries: { used: number } } }>(
          cloud,
          token,
          'GET',
          '/billing/usage',
        );
        return r.body?.usage?.agent_queries.used >= 1 ? r.body : undefined;
      },
      { what: 'billing to count the agent query', timeoutMs: 60_000 },
    );
    expect(after.usage.agent_queries.used).toBe(1);
  });
});
