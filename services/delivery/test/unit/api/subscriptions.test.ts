import type { DeliveryAttempt, StoredEvent, Subscription, WebhookMessage } from '../../../src/domain/model';
import {
  activeSecrets,
  applySubscriptionChanges,
  endpointUrlProblem,
  endpointUrlSyntaxProblem,
  eventTypeMatches,
  eventTypePatternProblem,
  isRecoverable,
  isSubscriptionId,
  manualDeliveryProblem,
  MAX_SECRETS,
  newSigningSecret,
  newSubscription,
  newTestEvent,
  planSubscriptionUpdate,
  recoverSinceProblem,
  rotateSecrets,
  subscribesTo,
  toAttemptView,
  toCreatedSubscriptionView,
  toEventDeliveriesView,
  toRotatedSecretView,
  toSubscriptionView,
  ulid,
  visibleToTenant,
} from '../../../src/domain/subscriptions';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;
const at = (ms: number) => new Date(NOW.getTime() + ms);
/** Deterministic "random" bytes: 0, 1, 2, ... */
const counting = (size: number) => Uint8Array.from({ length: size }, (_, i) => i);
const fill = (value: number) => (size: number) => new Uint8Array(size).fill(value);

function subscription(overrides: Partial<Subscription> = {}): Subscription {
  return {
    ...newSubscription(
      { tenantId: 'ten_A', url: 'https://example.com/hook', eventTypes: ['order.*'] },
      NOW,
      counting,
    ),
    ...overrides,
  };
}

describe('ids', () => {
  it('makes sub_ + ULID ids that sort by creation time', () => {
    const sub = newSubscription({ tenantId: 't', url: 'https://x.test', eventTypes: ['*'] }, NOW, counting);
    expect(isSubscriptionId(sub.subscriptionId)).toBe(true);
    expect(ulid(NOW, fill(255)) < ulid(at(1), fill(0))).toBe(true);
    expect(ulid(new Date(0), fill(0))).toBe('0'.repeat(26));
    expect(isSubscriptionId('sub_nope')).toBe(false);
    expect(isSubscriptionId('evt_01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBe(false);
  });
});

describe('event type patterns', () => {
  it.each(['order.created', 'order.*', '*', 'a.b.*', 'Order_Created-v2', 'x'])('accepts %s', (pattern) => {
    expect(eventTypePatternProblem(pattern)).toBeUndefined();
  });

  it.each([
    ['', 'empty'],
    ['order*', "'*'"],
    ['*.created', "'*'"],
    ['order.*.created', "'*'"],
    ['**', "'*'"],
    ['.*', "'*'"],
    ['order. created', 'whitespace'],
    ['order\u0000', 'control'],
    ['x'.repeat(256), '255'],
  ])('refuses %j', (pattern, reason) => {
    expect(eventTypePatternProblem(pattern)).toContain(reason);
  });

  it('matches exact types, prefixes and everything', () => {
    expect(eventTypeMatches('order.created', 'order.created')).toBe(true);
    expect(eventTypeMatches('order.created', 'order.created.v2')).toBe(false);
    expect(eventTypeMatches('order.*', 'order.created')).toBe(true);
    expect(eventTypeMatches('order.*', 'order.item.added')).toBe(true);
    expect(eventTypeMatches('order.*', 'order')).toBe(false);
    expect(eventTypeMatches('order.*', 'orders.created')).toBe(false);
    expect(eventTypeMatches('*', 'anything.at.all')).toBe(true);
    expect(subscribesTo(['invoice.paid', 'order.*'], 'order.shipped')).toBe(true);
    expect(subscribesTo(['invoice.paid', 'order.*'], 'invoice.sent')).toBe(false);
  });
});

describe('endpoint URLs', () => {
  it.each([
    'https://example.com/hook',
    'https://example.com:8443/a/b?c=d',
    'http://127.0.0.1:4000/hook',
    'https://[::1]/x',
  ])('accepts the form of %s', (url) => {
    expect(endpointUrlSyntaxProblem(url)).toBeUndefined();
  });

  it.each([
    ['not a url', 'not a url', 'absolute'],
    ['a relative path', '/relative/path', 'absolute'],
    ['ftp', 'ftp://example.com/x', 'http(s)'],
    ['javascript:', 'javascript:alert(1)', 'http(s)'],
    ['credentials', 'https://user:pass@example.com/', 'credentials'],
    ['a fragment', 'https://example.com/#frag', 'fragment'],
    ['2049 characters', `https://example.com/${'a'.repeat(2029)}`, '2048'],
  ])('refuses %s', (_label, url, reason) => {
    expect(endpointUrlSyntaxProblem(url)).toContain(reason);
  });

  it('needs https in production stages only', () => {
    expect(endpointUrlProblem('http://example.com/hook', 'prod')).toBe('must use https');
    expect(endpointUrlProblem('http://example.com/hook', 'staging')).toBe('must use https');
    expect(endpointUrlProblem('https://example.com/hook', 'prod')).toBeUndefined();
    for (const stage of ['local', 'dev', 'test', 'pr-42']) {
      expect(endpointUrlProblem('http://127.0.0.1:9/hook', stage)).toBeUndefined();
    }
  });
});

describe('signing secrets', () => {
  it('are whsec_ + base64 of 24 random bytes', () => {
    const secret = newSigningSecret(counting);
    expect(secret).toBe(`whsec_${Buffer.from(counting(24)).toString('base64')}`);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(24);
  });

  it('rotate: new first, the previous one signs for 24 h, expired ones dropped', () => {
    const original = [{ secret: 'whsec_old', createdAt: at(-48 * HOUR).toISOString() }];
    const rotated = rotateSecrets(original, 'whsec_new', NOW);
    expect(rotated).toEqual([
      { secret: 'whsec_new', createdAt: NOW.toISOString() },
      { secret: 'whsec_old', createdAt: original[0]!.createdAt, expiresAt: at(24 * HOUR).toISOString() },
    ]);
    expect(activeSecrets(rotated, at(24 * HOUR - 1)).map((s) => s.secret)).toEqual([
      'whsec_new',
      'whsec_old',
    ]);
    expect(activeSecrets(rotated, at(24 * HOUR)).map((s) => s.secret)).toEqual(['whsec_new']);

    // Rotating again an hour later keeps the first one's earlier expiry; a day later it is gone.
    const again = rotateSecrets(rotated, 'whsec_newer', at(HOUR));
    expect(again.map((s) => [s.secret, s.expiresAt])).toEqual([
      ['whsec_newer', undefined],
      ['whsec_new', at(25 * HOUR).toISOString()],
      ['whsec_old', at(24 * HOUR).toISOString()],
    ]);
    const later = rotateSecrets(again, 'whsec_newest', at(24 * HOUR + 1));
    expect(later.map((s) => s.secret)).toEqual(['whsec_newest', 'whsec_newer', 'whsec_new']);
  });

  it(`keeps at most ${MAX_SECRETS} secrets, dropping the oldest`, () => {
    let secrets = [{ secret: 'whsec_0', createdAt: NOW.toISOString() }];
    for (let i = 1; i <= 8; i++) secrets = rotateSecrets(secrets, `whsec_${i}`, at(i * 1000));
    expect(secrets.map((s) => s.secret)).toEqual(['whsec_8', 'whsec_7', 'whsec_6', 'whsec_5', 'whsec_4']);
  });
});

describe('creating and viewing', () => {
  it('creates an enabled subscription with one secret and de-duplicated patterns', () => {
    const sub = newSubscription(
      {
        tenantId: 'ten_A',
        url: 'https://example.com/hook',
        eventTypes: ['order.*', 'invoice.paid', 'order.*'],
        description: 'orders',
        rateLimitPerSecond: 5,
      },
      NOW,
      counting,
    );
    expect(sub).toMatchObject({
      tenantId: 'ten_A',
      eventTypes: ['order.*', 'invoice.paid'],
      description: 'orders',
      enabled: true,
      rateLimitPerSecond: 5,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    expect(sub.secrets).toHaveLength(1);
    expect(sub).not.toHaveProperty('disabledReason');
  });

  it('a subscription created disabled is disabled by hand', () => {
    const sub = newSubscription(
      { tenantId: 't', url: 'https://x.test', eventTypes: ['*'], enabled: false },
      NOW,
      counting,
    );
    expect(sub).toMatchObject({ enabled: false, disabledReason: 'manual', disabledAt: NOW.toISOString() });
  });

  it('views never carry secrets, except the create and rotate answers', () => {
    const sub = subscription({ failingSince: NOW.toISOString(), rateLimitPerSecond: 3 });
    const view = toSubscriptionView(sub);
    expect(JSON.stringify(view)).not.toContain('whsec_');
    expect(view).toEqual({
      subscription_id: sub.subscriptionId,
      url: 'https://example.com/hook',
      event_types: ['order.*'],
      enabled: true,
      failing_since: NOW.toISOString(),
      rate_limit_per_second: 3,
      created_at: NOW.toISOString(),
      updated_at: NOW.toISOString(),
    });
    expect(toCreatedSubscriptionView(sub)).toEqual({ ...view, secret: sub.secrets[0]!.secret });
    const rotated = rotateSecrets(sub.secrets, 'whsec_new', NOW);
    expect(toRotatedSecretView(sub.subscriptionId, rotated)).toEqual({
      subscription_id: sub.subscriptionId,
      secret: 'whsec_new',
      previous_secrets_expire_at: at(24 * HOUR).toISOString(),
    });
  });

  it('hides other tenants', () => {
    const sub = subscription();
    expect(visibleToTenant(sub, 'ten_A')).toBe(sub);
    expect(visibleToTenant(sub, 'ten_B')).toBeUndefined();
    expect(visibleToTenant(undefined, 'ten_A')).toBeUndefined();
  });
});

describe('PATCH semantics', () => {
  it('sets what is given and removes what is null', () => {
    const changes = planSubscriptionUpdate(
      { enabled: true },
      { url: 'https://new.test/h', eventTypes: ['a', 'a', 'b.*'], description: null, rateLimitPerSecond: 7 },
      NOW,
    );
    expect(changes).toEqual({
      set: {
        updatedAt: NOW.toISOString(),
        url: 'https://new.test/h',
        eventTypes: ['a', 'b.*'],
        rateLimitPerSecond: 7,
      },
      remove: ['description'],
    });
  });

  it('re-enabling a disabled endpoint clears the reason and the failure window', () => {
    const disabled = subscription({
      enabled: false,
      disabledReason: 'failing',
      disabledAt: NOW.toISOString(),
      failingSince: at(-120 * HOUR).toISOString(),
    });
    const changes = planSubscriptionUpdate(disabled, { enabled: true }, at(HOUR));
    expect(changes.set).toEqual({ updatedAt: at(HOUR).toISOString(), enabled: true });
    expect(changes.remove).toEqual(['disabledReason', 'disabledAt', 'failingSince']);
    const after = applySubscriptionChanges(disabled, changes);
    expect(after.enabled).toBe(true);
    expect(after).not.toHaveProperty('disabledReason');
    expect(after).not.toHaveProperty('failingSince');
    expect(after).not.toHaveProperty('disabledAt');
  });

  it('disabling by hand records why; asking for the current state changes no health attribute', () => {
    expect(planSubscriptionUpdate({ enabled: true }, { enabled: false }, NOW).set).toEqual({
      updatedAt: NOW.toISOString(),
      enabled: false,
      disabledReason: 'manual',
      disabledAt: NOW.toISOString(),
    });
    expect(planSubscriptionUpdate({ enabled: true }, { enabled: true }, NOW)).toEqual({
      set: { updatedAt: NOW.toISOString() },
      remove: [],
    });
    expect(planSubscriptionUpdate({ enabled: false }, { enabled: false }, NOW)).toEqual({
      set: { updatedAt: NOW.toISOString() },
      remove: [],
    });
  });
});

describe('manual delivery', () => {
  it('recovers failed, exhausted and held messages only', () => {
    expect(['failed', 'exhausted', 'held'].every((s) => isRecoverable(s as never))).toBe(true);
    expect(['pending', 'delivered', 'cancelled'].some((s) => isRecoverable(s as never))).toBe(false);
  });

  it('refuses a disabled endpoint and a future since', () => {
    expect(manualDeliveryProblem({ enabled: true })).toBeUndefined();
    expect(manualDeliveryProblem({ enabled: false })).toContain('re-enable');
    expect(recoverSinceProblem(at(-HOUR).toISOString(), NOW)).toBeUndefined();
    expect(recoverSinceProblem(at(HOUR).toISOString(), NOW)).toContain('future');
  });

  it('makes a test event naming the subscription', () => {
    const event = newTestEvent({ tenantId: 'ten_A', subscriptionId: 'sub_1' }, NOW, counting);
    expect(event).toMatchObject({
      tenantId: 'ten_A',
      eventType: 'switchyard.test',
      receivedAt: NOW.toISOString(),
    });
    expect(event.eventId).toMatch(/^evt_test_[0-9A-Z]{26}$/);
    expect(JSON.parse(event.data)).toMatchObject({ subscription_id: 'sub_1' });
  });
});

describe('attempt and delivery views', () => {
  const attempt = (n: number, overrides: Partial<DeliveryAttempt> = {}): DeliveryAttempt => ({
    tenantId: 'ten_A',
    eventId: 'evt_1',
    subscriptionId: 'sub_1',
    webhookId: 'msg_1',
    attempt: n,
    attemptedAt: at(n * 1000).toISOString(),
    trigger: 'scheduled',
    latencyMs: 12,
    outcome: 'failed',
    statusCode: 500,
    responseBody: 'oops',
    ...overrides,
  });
  const message: WebhookMessage = {
    tenantId: 'ten_A',
    eventId: 'evt_1',
    subscriptionId: 'sub_1',
    webhookId: 'msg_1',
    eventType: 'order.created',
    status: 'delivered',
    attempts: 2,
    createdAt: NOW.toISOString(),
    updatedAt: at(2000).toISOString(),
    deliveredAt: at(2000).toISOString(),
    lastError: { statusCode: 500, message: 'HTTP 500' },
  };
  const event: StoredEvent = {
    tenantId: 'ten_A',
    eventId: 'evt_1',
    eventType: 'order.created',
    receivedAt: NOW.toISOString(),
    data: '{}',
  };

  it('shows an attempt in snake_case, without absent fields', () => {
    expect(
      toAttemptView(attempt(1, { statusCode: undefined, responseBody: undefined, error: 'timeout' })),
    ).toEqual({
      event_id: 'evt_1',
      subscription_id: 'sub_1',
      webhook_id: 'msg_1',
      attempt: 1,
      attempted_at: at(1000).toISOString(),
      trigger: 'scheduled',
      outcome: 'failed',
      latency_ms: 12,
      error: 'timeout',
    });
  });

  it("groups an event's attempts under their message, oldest first", () => {
    const view = toEventDeliveriesView(
      'evt_1',
      event,
      [message],
      [
        attempt(2, { outcome: 'delivered', statusCode: 200 }),
        attempt(1),
        attempt(1, { subscriptionId: 'sub_other' }),
      ],
    );
    expect(view).toMatchObject({
      event_id: 'evt_1',
      event_type: 'order.created',
      received_at: NOW.toISOString(),
      messages: [
        {
          subscription_id: 'sub_1',
          webhook_id: 'msg_1',
          status: 'delivered',
          attempts_made: 2,
          last_error: { status_code: 500, message: 'HTTP 500' },
        },
      ],
    });
    expect(view!.messages[0]!.attempts.map((a) => [a.attempt, a.outcome])).toEqual([
      [1, 'failed'],
      [2, 'delivered'],
    ]);
  });

  it('is undefined when delivery has no trace of the event', () => {
    expect(toEventDeliveriesView('evt_x', undefined, [], [])).toBeUndefined();
    expect(toEventDeliveriesView('evt_1', event, [], [])).toMatchObject({ messages: [] });
  });
});
