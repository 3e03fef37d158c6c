// Conservation, as a property: every event ingest answers 202 for reaches the matching webhook
// exactly once (one webhook-id, retries only as repeats of it) with the payload it was published
// with, whatever it carries: characters of every plane, nesting up to the limit, sizes up to the
// limit, native events, CloudEvents and batches. fast-check generates the events; they travel the
// real local cloud (ingest → bus → delivery) to a real HTTP receiver.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { RunningLocalCloud } from '@switchyard/local-cloud';
import { startLocalCloud } from '@switchyard/local-cloud';
import { webhookIdFor } from '../../src/domain/messages';
import type { Subscription } from '../../src/domain/model';
import { DeliveryEnv, eventually, untilIngestKnowsKey } from './support/delivery-env';
import type { Receiver } from './support/receiver';
import { startReceiver } from './support/receiver';

/** What no queue can carry; ingest refuses it with 400 (the only refusal these events can meet). */
const UNCARRIABLE = /[\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_GENERATED_DEPTH = 58;

/** Whether any key or string in `value` holds what no queue can carry. */
function uncarriable(value: unknown): boolean {
  if (typeof value === 'string') return UNCARRIABLE.test(value);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([key, child]) => UNCARRIABLE.test(key) || uncarriable(child));
}
const RUNS = 40;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Mode = 'native' | 'cloudevent' | 'batch';
interface Generated {
  payload: Record<string, Json>;
  source: string;
}

const text = fc.fullUnicodeString({ maxLength: 12 });
const leaf: fc.Arbitrary<Json> = fc.oneof(
  text,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const object = fc.dictionary(text, fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })), { maxKeys: 4 });
const generatedEvent: fc.Arbitrary<Generated> = fc
  .record({
    body: object,
    depth: fc.integer({ min: 0, max: MAX_GENERATED_DEPTH }),
    // Mostly small; now and then close to the 256 KB limit (sent by S3 reference behind the bus).
    padding: fc.oneof(
      { weight: 9, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 240_000 }) },
    ),
    // Sometimes a character no queue carries, which must be refused, not lost.
    poison: fc.oneof(
      { weight: 12, arbitrary: fc.constant('') },
      { weight: 1, arbitrary: fc.constantFrom('\uFFFE', '\uFFFF', '\uD800', '\uDC00') },
    ),
    source: text,
  })
  .map(({ body, depth, padding, poison, source }) => {
    let payload: Record<string, Json> = { ...body, ...(padding ? { padding: 'p'.repeat(padding) } : {}) };
    for (let level = 1; level < depth; level++) payload = { level: payload };
    if (poison) payload = { ...payload, poison: `x${poison}y` };
    return { payload, source: `urn:gen:${source}` };
  });

describe('conservation: an accepted event is delivered exactly once, with its payload', () => {
  let cloud: RunningLocalCloud;
  let env: DeliveryEnv;
  let hooks: Receiver;
  let sub: Subscription;
  let tenantId: string;
  let apiKey: string;
  const eventType = `conservation.${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    cloud = await startLocalCloud({ services: ['identity', 'ingest', 'delivery'] });
    tenantId = cloud.tenantId!;
    apiKey = cloud.apiKey!;
    env = new DeliveryEnv(cloud);
    await untilIngestKnowsKey(cloud, apiKey);
    hooks = await startReceiver();
    sub = await env.createSubscription(tenantId, { url: hooks.url, eventTypes: [eventType] });
  }, 240_000);

  afterAll(async () => {
    await hooks?.close();
    env?.close();
    await cloud?.stop();
  });

  /** POSTs until the answer is not a 429 (a rate-limited request stores nothing). */
  async function post(path: string, contentType: string, body: string) {
    for (;;) {
      const response = await fetch(new URL(path, cloud.apiUrl), {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': contentType },
        body,
      });
      const answer = (await response.json()) as Record<string, unknown>;
      if (response.status !== 429) return { status: response.status, body: answer };
      await new Promise((resolve) =>
        setTimeout(resolve, Number(response.headers.get('retry-after') ?? 1) * 1000),
      );
    }
  }

  it('holds for generated events of every shape', async () => {
    const accepted = new Map<string, Record<string, Json>>();
    let generated = 0;
    let refused = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Mode>('native', 'cloudevent', 'batch'),
        fc.array(generatedEvent, { minLength: 1, maxLength: 4 }),
        async (mode, events) => {
          const chosen = mode === 'batch' ? events : events.slice(0, 1);
          generated += chosen.length;
          const carriable = chosen.map((e) => !uncarriable(e));
          if (mode === 'batch') {
            const answer = await post(
              '/events/batch',
              'application/json',
              JSON.stringify({ events: chosen.map((e) => ({ event_type: eventType, ...e })) }),
            );
            // What no queue can carry is refused with the request, before any item is stored.
            if (!carriable.every(Boolean)) {
              expect(answer.status).toBe(400);
              expect(answer.body).toMatchObject({ error: { code: 'validation_failed' } });
              refused += chosen.length;
              return;
            }
            expect(answer.status).toBe(202);
            const results = answer.body.results as { index: number; status: string; event_id?: string }[];
            for (const result of results) {
              expect(result.status).toBe('accepted');
              accepted.set(result.event_id!, chosen[result.index]!.payload);
            }
            return;
          }
          const [event] = chosen as [Generated];
          const answer =
            mode === 'native'
              ? await post('/events', 'application/json', JSON.stringify({ event_type: eventType, ...event }))
              : await post(
                  '/events',
                  'application/cloudevents+json',
                  JSON.stringify({
                    specversion: '1.0',
                    id: randomUUID(),
                    source: event.source,
                    type: eventType,
                    datacontenttype: 'application/json',
                    data: event.payload,
                  }),
                );
          if (carriable[0]) {
            expect(answer.status).toBe(202);
            accepted.set(answer.body.event_id as string, event.payload);
          } else {
            expect(answer.status).toBe(400);
            expect(answer.body).toMatchObject({ error: { code: 'validation_failed' } });
            refused++;
          }
        },
      ),
      { numRuns: RUNS },
    );

    const wanted = new Map(
      [...accepted].map(([eventId, payload]) => [
        webhookIdFor(tenantId, eventId, sub.subscriptionId),
        payload,
      ]),
    );
    const drainStarted = Date.now();
    await eventually(
      `every accepted event delivered (${accepted.size})`,
      async () => [...wanted.keys()].every((id) => hooks.byWebhookId(id).length > 0),
      120_000,
    );
    const drainSeconds = (Date.now() - drainStarted) / 1000;

    const requests = hooks.received.length;
    const distinct = new Set(hooks.received.map((r) => r.webhookId));
    // Nothing delivered that was not accepted; each accepted event under exactly one webhook-id.
    expect([...distinct].every((id) => wanted.has(id))).toBe(true);
    expect(distinct.size).toBe(accepted.size);
    for (const [webhookId, payload] of wanted) {
      for (const request of hooks.byWebhookId(webhookId)) {
        // As JSON carries it (-0 arrives as 0).
        expect((JSON.parse(request.body) as { data: unknown }).data).toEqual(
          JSON.parse(JSON.stringify(payload)),
        );
      }
    }
    console.log(
      `conservation: ${generated} events generated in ${RUNS} requests; ${accepted.size} accepted, ` +
        `${refused} refused at the door (400), ${distinct.size} delivered, ` +
        `${accepted.size - distinct.size} lost, ${requests - distinct.size} repeated deliveries; ` +
        `drained ${drainSeconds.toFixed(1)} s after the last publish`,
    );
    expect(accepted.size).toBeGreaterThan(0);
  });
});
