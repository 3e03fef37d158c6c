/**
 * The smoke test after a deploy (`npm run smoke -- [--stage S]`): through the one public base URL,
 * as a producer and an operator would, check that the API answers, that a new key can publish an
 * event and read it back, and (where this machine is reachable from the platform, i.e. locally)
 * that the event arrives signed at a webhook; then remove what it created. Each step is timed; the
 * first failure stops the run, the clean-up always runs.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OperatorApi } from './api';
import type { CreatedKey } from './commands/keys';

export interface SmokeStep {
  step: string;
  ok: boolean;
  ms: number;
  detail: string;
}

export interface SmokeOptions {
  /** The public base URL (the platform's HTTP API). */
  apiUrl: string;
  /** The operator API (IAM-signed), for the temporary key. */
  operator: OperatorApi;
  /** The tenant the temporary key belongs to. */
  tenantId: string;
  /** Whether a webhook listening on this machine can be reached by the platform (the local cloud). */
  webhook: boolean;
  /** Longest wait for each eventual step (the key reaching the services, the webhook arriving). */
  waitMs?: number;
  fetch?: typeof fetch;
}

interface Webhook {
  url: string;
  received: { headers: Record<string, string>; body: string }[];
  close(): Promise<void>;
}

async function startWebhook(): Promise<Webhook> {
  const received: Webhook['received'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/smoke`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Standard Webhooks: `v1,<base64 HMAC-SHA256 of id.timestamp.body>` under the secret after `whsec_`. */
export function verifyWebhookSignature(
  secret: string,
  headers: Record<string, string>,
  body: string,
): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`;
  const expected = createHmac('sha256', key).update(signed).digest();
  return (headers['webhook-signature'] ?? '').split(' ').some((part) => {
    const [version, signature] = part.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

class StepFailed extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value, or fails the step with `what` after `waitMs`. */
async function until<T>(what: string, waitMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new StepFailed(`${what} within ${Math.round(waitMs / 1000)} s`);
    await sleep(500);
  }
}

export async function runSmoke(options: SmokeOptions): Promise<SmokeStep[]> {
  const http = options.fetch ?? fetch;
  const waitMs = options.waitMs ?? 30_000;
  const steps: SmokeStep[] = [];
  const runId = `smoke-${new Date().toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
  let key: CreatedKey | undefined;
  let subscriptionId: string | undefined;
  let secret = '';
  let eventId = '';
  let webhook: Webhook | undefined;

  const call = (method: string, path: string, body?: unknown) =>
    http(`${options.apiUrl}${path}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key.key}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  async function step(name: string, run: () => Promise<string>): Promise<void> {
    const started = Date.now();
    try {
      const detail = await run();
      steps.push({ step: name, ok: true, ms: Date.now() - started, detail });
    } catch (error) {
      steps.push({ step: name, ok: false, ms: Date.now() - started, detail: (error as Error).message });
      throw new StepFailed(name);
    }
  }

  try {
    await step('status', async () => {
      const response = await call('GET', '/status');
      const body = (await response.json().catch(() => ({}))) as { status?: string; version?: string };
      if (response.status !== 200 || body.status !== 'ok')
        throw new StepFailed(`GET /status answered ${response.status} ${body.status ?? ''}`.trim());
      return `GET /status 200 ok (version ${body.version ?? '?'})`;
    });

    await step('temporary key', async () => {
      const created = await options.operator.request<{ apiKey?: CreatedKey } & Partial<CreatedKey>>(
        'POST',
        `/operator/tenants/${encodeURIComponent(options.tenantId)}/keys`,
        { body: { role: 'admin', description: `${runId} (temporary, revoked by the smoke test)` } },
      );
      key = (created.apiKey ?? created) as CreatedKey;
      return `key ${key.keyId} (admin) for tenant ${options.tenantId}`;
    });

    if (options.webhook) {
      await step('subscribe webhook', async () => {
        webhook = await startWebhook();
        // The new key reaches delivery through the bus: a 401 first is expected.
        const created = await until('delivery did not accept the new key', waitMs, async () => {
          const response = await call('POST', '/subscriptions', {
            url: webhook!.url,
            event_types: ['smoke.*'],
            description: runId,
          });
          if (response.status === 401) return undefined;
          const body = (await response.json()) as { subscription_id?: string; secret?: string };
          if (response.status !== 201)
            throw new StepFailed(`POST /subscriptions answered ${response.status}`);
          return body;
        });
        subscriptionId = created.subscription_id;
        secret = created.secret ?? '';
        return `subscription ${subscriptionId} → ${webhook!.url}`;
      });
    }

    await step('publish', async () => {
      const response = await until('ingest did not accept the new key', waitMs, async () => {
        const r = await call('POST', '/events', { event_type: 'smoke.check', payload: { runId } });
        return r.status === 401 ? undefined : r;
      });
      const body = (await response.json()) as { event_id?: string };
      if (response.status !== 202 || !body.event_id)
        throw new StepFailed(`POST /events answered ${response.status}`);
      eventId = body.event_id;
      return `POST /events 202, event ${eventId}`;
    });

    await step('read back', async () => {
      const response = await call('GET', `/events/${encodeURIComponent(eventId)}`);
      const body = (await response.json()) as { event_id?: string; payload?: { runId?: string } };
      if (response.status !== 200 || body.event_id !== eventId || body.payload?.runId !== runId)
        throw new StepFailed(`GET /events/{id} answered ${response.status} without the event published`);
      return `GET /events/${eventId} 200, payload as published`;
    });

    if (options.webhook && webhook) {
      await step('webhook', async () => {
        const hook = webhook!;
        const got = await until('no webhook arrived', waitMs, async () =>
          hook.received.find((r) => r.body.includes(runId)),
        );
        if (!verifyWebhookSignature(secret, got.headers, got.body))
          throw new StepFailed('the webhook arrived with a signature that does not verify');
        return `signed POST received (webhook-id ${got.headers['webhook-id']})`;
      });
    } else {
      steps.push({
        step: 'webhook',
        ok: true,
        ms: 0,
        detail: 'skipped: a webhook on this machine is not reachable from the platform',
      });
    }
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
  } finally {
    await cleanUp();
  }
  return steps;

  async function cleanUp(): Promise<void> {
    const started = Date.now();
    const done: string[] = [];
    const problems: string[] = [];
    if (subscriptionId) {
      const r = await call('DELETE', `/subscriptions/${encodeURIComponent(subscriptionId)}`).catch(
        () => undefined,
      );
      if (r && (r.status === 204 || r.status === 200 || r.status === 404)) done.push('subscription deleted');
      else problems.push(`DELETE /subscriptions/${subscriptionId} answered ${r?.status ?? 'nothing'}`);
    }
    await webhook?.close();
    if (key) {
      try {
        await options.operator.request('DELETE', `/operator/keys/${encodeURIComponent(key.keyId)}`);
        // Revocation reaches ingest through the bus and a 2 s cache: wait until it refuses the key.
        await until('the revoked key still works', waitMs, async () => {
          const r = await call('GET', `/events/${encodeURIComponent(eventId || 'none')}`);
          return r.status === 401 ? true : undefined;
        });
        done.push('key revoked and refused');
      } catch (error) {
        problems.push(`key ${key.keyId}: ${(error as Error).message}`);
      }
    }
    if (done.length || problems.length)
      steps.push({
        step: 'clean up',
        ok: problems.length === 0,
        ms: Date.now() - started,
        detail: [...done, ...problems].join('; '),
      });
  }
}
