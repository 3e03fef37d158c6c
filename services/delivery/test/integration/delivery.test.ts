// The delivery engine against the real local cloud (identity + ingest + delivery): events published
// through ingest's POST /events reach real HTTP receivers started here, signed per Standard Webhooks,
// retried on a (shortened) schedule, with every attempt recorded. The engine's waits are configured
// short through the local cloud's Lambda API, as an operator would set them, never slept through.
import { randomUUID } from 'node:crypto';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import { startLocalCloud, tapBus } from '@switchyard/local-cloud';
import type { BusTap } from '@switchyard/local-cloud';
import { requestAttempts } from '../../src/adapters/dispatch';
import { webhookIdFor } from '../../src/domain/messages';
import type { Subscription } from '../../src/domain/model';
import { DeliveryEnv, eventually, publishEvents, untilIngestKnowsKey } from './support/delivery-env';
import type { Receiver, Reply } from './support/receiver';
import { startReceiver } from './support/receiver';

/** The settings every test starts from: 4 attempts a second apart, a 1 s send timeout. */
const BASE = {
  RETRY_SCHEDULE_SECONDS: '0,1,1,1',
  RETRY_JITTER: '0',
  SEND_TIMEOUT_MS: '1000',
  ENDPOINT_DISABLE_AFTER_SECONDS: '3600',
  MAX_QUEUE_DELAY_SECONDS: '900',
};

describe('delivering events to webhooks', () => {
  let cloud: RunningLocalCloud;
  let env: DeliveryEnv;
  let bus: BusTap;
  let tenantId: string;
  let apiKey: string;
  const receivers: Receiver[] = [];

  const receiver = async (script?: (n: number) => Reply) => {
    const r = await startReceiver(script ? (request) => script(request.n) : undefined);
    receivers.push(r);
    return r;
  };
  /** A fresh event type per test, so subscriptions of other tests never match. */
  const eventType = (label: string) => `test.${label}.${randomUUID().slice(0, 8)}`;
  const subscribe = (url: string, types: string[], extra: Partial<Subscription> = {}) =>
    env.createSubscription(tenantId, { url, eventTypes: types, ...extra });
  const publish = async (type: string, payload: Record<string, unknown> = { hello: 'world' }) =>
    (await publishEvents(cloud, apiKey, [{ event_type: type, payload }]))[0]!;
  const messageOf = (eventId: string, sub: Subscription) =>
    env.message(tenantId, eventId, sub.subscriptionId);
  const statusOf = async (eventId: string, sub: Subscription) => (await messageOf(eventId, sub))?.status;
  /** Waits for a message's status; a timeout names the status it was left in. */
  const untilStatus = async (eventId: string, sub: Subscription, status: string, timeoutMs = 30_000) => {
    let last: string | undefined;
    try {
      return await eventually(
        `message ${eventId} → ${status}`,
        async () => {
          last = await statusOf(eventId, sub);
          return last === status ? true : undefined;
        },
        timeoutMs,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message} (last status: ${last ?? 'none'})`);
    }
  };

  beforeAll(async () => {
    cloud = await startLocalCloud({ services: ['identity', 'ingest', 'delivery'] });
    tenantId = cloud.tenantId!;
    apiKey = cloud.apiKey!;
    env = new DeliveryEnv(cloud);
    await env.configure(BASE);
    await untilIngestKnowsKey(cloud, apiKey);
    bus = await tapBus(cloud, 'switchyard.delivery');
  }, 240_000);

  afterEach(async () => {
    await env.configure(BASE);
  });

  const attemptsQueueUrl = async () => {
    const { GetQueueUrlCommand, SQSClient } = await import('@aws-sdk/client-sqs');
    const sqs = new SQSClient({
      region: cloud.region,
      endpoint: cloud.endpoints.sqs,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { QueueUrl } = await sqs.send(
      new GetQueueUrlCommand({ QueueName: `delivery-${cloud.stage}-attempts` }),
    );
    sqs.destroy();
    return QueueUrl!;
  };

  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
    bus?.close();
    env?.close();
    await cloud?.stop();
  });

  it('delivers a signed Standard Webhook that both standardwebhooks and svix verify', async () => {
    const hooks = await receiver();
    const type = eventType('signed');
    const sub = await subscribe(hooks.url, [type.split('.').slice(0, 2).join('.') + '.*']);
    const payload = { orderId: 'o-1', total: 42.5, lines: [{ sku: 'a', qty: 2 }], note: 'ünïcødé' };

    const eventId = await publish(type, payload);
    await untilStatus(eventId, sub, 'delivered');

    expect(hooks.received).toHaveLength(1);
    const [request] = hooks.received;
    const secret = sub.secrets[0]!.secret;
    const headers = {
      'webhook-id': request!.headers['webhook-id']!,
      'webhook-timestamp': request!.headers['webhook-timestamp']!,
      'webhook-signature': request!.headers['webhook-signature']!,
    };
    expect(new StandardWebhook(secret).verify(request!.body, headers)).toEqual({
      type,
      timestamp: expect.any(String),
      data: payload,
    });
    expect(new SvixWebhook(secret).verify(request!.body, headers)).toMatchObject({ data: payload });
    expect(request!.body).toBe(
      `{"type":"${type}","timestamp":${JSON.stringify(JSON.parse(request!.body).timestamp)},"data":${JSON.stringify(payload)}}`,
    );
    expect(request!.webhookId).toBe(webhookIdFor(tenantId, eventId, sub.subscriptionId));
    expect(request!.headers['content-type']).toBe('application/json');

    const attempts = await env.attempts(tenantId, eventId, sub.subscriptionId);
    expect(attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        trigger: 'scheduled',
        outcome: 'delivered',
        statusCode: 200,
        responseBody: 'status 200',
      }),
    ]);
  });

  it('retries a failing endpoint on the schedule with the same webhook-id until it succeeds', async () => {
    const hooks = await receiver((n) => (n <= 2 ? { status: 500, body: 'try again' } : { status: 204 }));
    const type = eventType('flaky');
    const sub = await subscribe(hooks.url, [type]);

    const eventId = await publish(type);
    await untilStatus(eventId, sub, 'delivered');

    const ids = hooks.received.map((r) => r.webhookId);
    expect(ids).toEqual(Array(3).fill(webhookIdFor(tenantId, eventId, sub.subscriptionId)));
    // The schedule's 1 s waits, not sooner.
    expect(hooks.received[1]!.at - hooks.received[0]!.at).toBeGreaterThanOrEqual(900);
    const attempts = await env.attempts(tenantId, eventId, sub.subscriptionId);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.statusCode, a.responseBody])).toEqual([
      [1, 'failed', 500, 'try again'],
      [2, 'failed', 500, 'try again'],
      [3, 'delivered', 204, ''],
    ]);
    expect(await messageOf(eventId, sub)).toMatchObject({
      status: 'delivered',
      attempts: 3,
      scheduledAttempts: 3,
    });
  });

  it('counts an answer slower than the send timeout as a failure, and a reset connection too', async () => {
    const hooks = await receiver((n) =>
      n === 1 ? { status: 200, delayMs: 2_500 } : n === 2 ? { reset: true } : { status: 200 },
    );
    const type = eventType('slow-then-reset');
    const sub = await subscribe(hooks.url, [type]);

    const eventId = await publish(type);
    await untilStatus(eventId, sub, 'delivered');

    const attempts = await env.attempts(tenantId, eventId, sub.subscriptionId);
    expect(attempts.map((a) => [a.outcome, a.statusCode, a.error])).toEqual([
      ['failed', undefined, 'timeout: no response within the send timeout'],
      ['failed', undefined, 'connection reset'],
      ['delivered', 200, undefined],
    ]);
    expect(attempts[0]!.latencyMs).toBeGreaterThanOrEqual(950);
    expect(attempts[0]!.latencyMs).toBeLessThan(2_000);
  });

  it('disables an endpoint that answers 410 Gone, publishes EndpointDisabled and holds its messages', async () => {
    const hooks = await receiver(() => ({ status: 410 }));
    const type = eventType('gone');
    const sub = await subscribe(hooks.url, [type]);

    const eventId = await publish(type);
    await untilStatus(eventId, sub, 'held');
    const seen = await bus.take((events) =>
      events.some(
        (e) => e['detail-type'] === 'EndpointDisabled' && e.detail.subscriptionId === sub.subscriptionId,
      ),
    );
    expect(seen.find((e) => e.detail.subscriptionId === sub.subscriptionId)?.detail).toMatchObject({
      tenantId,
      url: hooks.url,
      reason: 'gone',
    });
    expect(await env.subscription(tenantId, sub.subscriptionId)).toMatchObject({
      enabled: false,
      disabledReason: 'gone',
    });
    expect(hooks.received).toHaveLength(1);

    // Later events are kept for recovery, not sent.
    const later = await publish(type);
    await untilStatus(later, sub, 'held');
    expect(hooks.received).toHaveLength(1);
  });

  it('honours Retry-After on 429 and 503 over a shorter scheduled wait', async () => {
    const hooks = await receiver((n) =>
      n === 1
        ? { status: 429, headers: { 'retry-after': '2' } }
        : n === 2
          ? { status: 503, headers: { 'retry-after': new Date(Date.now() + 3_000).toUTCString() } }
          : { status: 200 },
    );
    const type = eventType('retry-after');
    const sub = await subscribe(hooks.url, [type]);

    const eventId = await publish(type);
    await untilStatus(eventId, sub, 'delivered');

    const [first, second, third] = hooks.received;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_900);
    // An HTTP-date counts from when it was sent (its seconds are whole: allow for the rounding).
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(1_900);
    const message = await messageOf(eventId, sub);
    expect(message).toMatchObject({ status: 'delivered', attempts: 3 });
  });

  it('exhausts a message after the last attempt, publishes MessageExhausted, and it can still be recovered', async () => {
    let up = false;
    const hooks = await receiver(() => (up ? { status: 200 } : { status: 500 }));
    const type = eventType('exhausted');
    const sub = await subscribe(hooks.url, [type]);

    const eventId = await publish(type);
    await untilStatus(eventId, sub, 'exhausted');
    const seen = await bus.take((events) =>
      events.some((e) => e['detail-type'] === 'MessageExhausted' && e.detail.eventId === eventId),
    );
    const webhookId = webhookIdFor(tenantId, eventId, sub.subscriptionId);
    expect(seen.find((e) => e.detail.eventId === eventId)?.detail).toMatchObject({
      subscriptionId: sub.subscriptionId,
      webhookMessageId: webhookId,
      attempts: 4,
      lastError: { statusCode: 500, message: 'HTTP 500' },
    });
    expect(hooks.received).toHaveLength(4);

    up = true;
    await requestAttempts([{ tenantId, eventId, subscriptionId: sub.subscriptionId, trigger: 'recover' }], {
      queueUrl: await attemptsQueueUrl(),
    });
    await untilStatus(eventId, sub, 'delivered');
    expect(hooks.received.map((r) => r.webhookId)).toEqual(Array(5).fill(webhookId));
    const attempts = await env.attempts(tenantId, eventId, sub.subscriptionId);
    expect(attempts.at(-1)).toMatchObject({ attempt: 5, trigger: 'recover', outcome: 'delivered' });
  });

  it('refuses endpoints that resolve to private or metadata addresses, recording why', async () => {
    const type = eventType('unsafe');
    const metadata = await subscribe('http://169.254.169.254/latest/meta-data/', [type]);
    const privateNet = await subscribe('http://10.0.0.1:8080/hooks', [type]);

    const eventId = await publish(type);
    await untilStatus(eventId, metadata, 'exhausted');
    await untilStatus(eventId, privateNet, 'exhausted');
    const [first] = await env.attempts(tenantId, eventId, metadata.subscriptionId);
    expect(first).toMatchObject({
      outcome: 'refused',
      error: 'address refused: 169.254.169.254 is a cloud metadata address',
    });
    const [other] = await env.attempts(tenantId, eventId, privateNet.subscriptionId);
    expect(other).toMatchObject({
      outcome: 'refused',
      error: 'address refused: 10.0.0.1 is not a public address (private)',
    });
  });

  it('keeps a fast endpoint fast while another one is slow (the slow lane)', async () => {
    await env.configure({ ...BASE, SEND_TIMEOUT_MS: '8000', SLOW_LATENCY_MS: '1000' });
    const slow = await receiver(() => ({ status: 200, delayMs: 6_000 }));
    const fast = await receiver();
    const type = eventType('slow-fast');
    const warmUp = eventType('slow-first');
    const slowSub = await subscribe(slow.url, [warmUp, type]);
    const fastSub = await subscribe(fast.url, [type]);

    // The first slow answer moves the endpoint to the slow lane a second into the attempt.
    await publish(warmUp);
    const marked = await eventually(
      'the slow mark',
      async () => (await env.subscription(tenantId, slowSub.subscriptionId))?.slowUntil,
    );
    expect(Date.parse(marked)).toBeGreaterThan(Date.now());

    const published = Date.now();
    const eventIds = await publishEvents(
      cloud,
      apiKey,
      Array.from({ length: 12 }, (_, i) => ({ event_type: type, payload: { i } })),
    );
    await eventually('the fast endpoint to get every event', async () => fast.received.length >= 12);
    const fastDone = Date.now();
    // Every event also went to the slow endpoint, which takes 6 s per answer: the fast one had them
    // all before the slow one had answered any of them (ingest → bus → fan-out takes a few seconds
    // here on its own, so the bound is the slow endpoint's answer, not a latency figure).
    await eventually('the slow endpoint to get every event', async () => slow.received.length >= 13, 60_000);
    const slowBurstStart = Math.min(...slow.received.slice(1).map((r) => r.at));
    expect(fastDone).toBeLessThan(slowBurstStart + 6_000);
    expect(fastDone - published).toBeLessThan(7_000);
    for (const eventId of eventIds) await untilStatus(eventId, slowSub, 'delivered', 60_000);
    for (const eventId of eventIds) expect(await statusOf(eventId, fastSub)).toBe('delivered');
  });

  it("honours an endpoint's rate limit without losing a message", async () => {
    const hooks = await receiver();
    const type = eventType('rate');
    const sub = await subscribe(hooks.url, [type], { rateLimitPerSecond: 2 });

    const eventIds = await publishEvents(
      cloud,
      apiKey,
      Array.from({ length: 10 }, (_, i) => ({ event_type: type, payload: { i } })),
    );
    for (const eventId of eventIds) await untilStatus(eventId, sub, 'delivered', 60_000);

    expect(new Set(hooks.received.map((r) => r.webhookId)).size).toBe(10);
    const perSecond = new Map<number, number>();
    for (const r of hooks.received)
      perSecond.set(Math.floor(r.at / 1000), (perSecond.get(Math.floor(r.at / 1000)) ?? 0) + 1);
    // Windows are counted when sending and the test sees arrivals: on a busy machine one window's
    // sends can arrive in the next second beside that second's own, so a second holds at most two
    // windows' worth (unlimited, all ten would arrive together).
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(4);
    const arrivals = hooks.received.map((r) => r.at).sort((a, b) => a - b);
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(3_000);
    // Waiting for the window is not an attempt.
    for (const eventId of eventIds) expect((await messageOf(eventId, sub))?.attempts).toBe(1);
  });

  it('disables an endpoint that keeps failing for longer than the health window', async () => {
    await env.configure({
      ...BASE,
      RETRY_SCHEDULE_SECONDS: '0,1,1,1,1',
      ENDPOINT_DISABLE_AFTER_SECONDS: '2',
    });
    const hooks = await receiver(() => ({ status: 502 }));
    const type = eventType('unhealthy');
    const sub = await subscribe(hooks.url, [type]);

    const eventId = await publish(type);
    await untilStatus(eventId, sub, 'held');
    await bus.take((events) =>
      events.some(
        (e) => e['detail-type'] === 'EndpointDisabled' && e.detail.subscriptionId === sub.subscriptionId,
      ),
    );
    const disabled = await env.subscription(tenantId, sub.subscriptionId);
    expect(disabled).toMatchObject({ enabled: false, disabledReason: 'failing' });
    expect(Date.parse(disabled!.disabledAt!) - Date.parse(disabled!.failingSince!)).toBeGreaterThanOrEqual(
      2_000,
    );
    // Disabled before the schedule ran out: the message is held for recovery, not exhausted.
    expect(hooks.received.length).toBeLessThan(5);
  });

  it('keeps waits longer than SQS can delay in the due index, where the sweeper picks them up', async () => {
    await env.configure({ ...BASE, RETRY_SCHEDULE_SECONDS: '0,3', MAX_QUEUE_DELAY_SECONDS: '1' });
    const hooks = await receiver((n) => (n === 1 ? { status: 500 } : { status: 200 }));
    const type = eventType('durable');
    const sub = await subscribe(hooks.url, [type]);

    const eventId = await publish(type);
    const waiting = await eventually('the retry in the due index', async () => {
      const message = await messageOf(eventId, sub);
      return message?.dueAt ? message : undefined;
    });
    expect(waiting).toMatchObject({ status: 'failed', duePk: expect.stringMatching(/^DUE#\d$/) });
    expect(Date.parse(waiting.dueAt!) - Date.parse(waiting.updatedAt)).toBe(3_000);
    // Nothing was queued for it (its wait is over MAX_QUEUE_DELAY_SECONDS): only a sweep brings it
    // back. The scheduled sweeper (rate 1 minute) may do so before ours; either way it is the sweeper.
    expect(hooks.received).toHaveLength(1);

    await env.sweep();
    await untilStatus(eventId, sub, 'delivered');
    expect(hooks.received).toHaveLength(2);
    const message = await messageOf(eventId, sub);
    expect(message?.dueAt).toBeUndefined();
    expect(message?.duePk).toBeUndefined();
  });

  it('loses no event, and a receiver de-duplicating by webhook-id processes each message once', async () => {
    // Failures here are the receivers' own, each bounded so that every message has attempts left:
    // a send timeout under a loaded machine is not what this test is about.
    await env.configure({ ...BASE, SEND_TIMEOUT_MS: '10000' });
    // A receiver that drops the connection on the first sight of every third request, as after a
    // crash, and answers the retry.
    const flaky: Receiver = await startReceiver((request) =>
      flaky.byWebhookId(request.webhookId).length === 1 && request.n % 3 === 0
        ? { reset: true }
        : { status: 200 },
    );
    receivers.push(flaky);
    // A receiver that processes a message once, by its webhook-id, and then fails to answer 2xx on
    // every other first sight (as after a timeout on the sender's side).
    const processed = new Map<string, number>();
    const dedup = await startReceiver(async (request) => {
      const firstTime = !processed.has(request.webhookId);
      if (firstTime) processed.set(request.webhookId, (processed.get(request.webhookId) ?? 0) + 1);
      return firstTime && request.n % 2 === 0 ? { status: 500 } : { status: 200 };
    });
    receivers.push(dedup);
    const type = eventType('no-loss');
    const flakySub = await subscribe(flaky.url, [type]);
    const dedupSub = await subscribe(dedup.url, [type]);

    const eventIds = await publishEvents(
      cloud,
      apiKey,
      Array.from({ length: 40 }, (_, i) => ({ event_type: type, payload: { i } })),
    );
    // SQS delivers at least once: send every first request a second time, as a duplicate would come.
    await requestAttempts(
      eventIds.map((eventId) => ({
        tenantId,
        eventId,
        subscriptionId: dedupSub.subscriptionId,
        trigger: 'scheduled' as const,
        attempt: 1,
      })),
      { queueUrl: await attemptsQueueUrl() },
    );
    for (const eventId of eventIds) {
      await untilStatus(eventId, dedupSub, 'delivered', 60_000);
      await untilStatus(eventId, flakySub, 'delivered', 60_000);
    }

    const expected = eventIds.map((eventId) => webhookIdFor(tenantId, eventId, dedupSub.subscriptionId));
    expect([...processed.keys()].sort()).toEqual([...expected].sort());
    expect([...processed.values()].every((count) => count === 1)).toBe(true);
    expect(dedup.received.length).toBeGreaterThan(40);
    const payloads = new Set(
      flaky.received.map((r) => (JSON.parse(r.body) as { data: { i: number } }).data.i),
    );
    expect(payloads.size).toBe(40);
  });
});
