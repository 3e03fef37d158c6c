import { Webhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { laneOf, slowMark } from '../../../src/domain/lanes';
import { matchingSubscriptions, newMessage, webhookIdFor } from '../../../src/domain/messages';
import { rateBlockOf, rateDecision, rateLimitOf, rateWindow } from '../../../src/domain/rate-limit';
import { signatureHeader, webhookBody, webhookHeaders } from '../../../src/domain/signing';

const t0 = new Date('2026-03-01T12:00:00.000Z');
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const previous = 'whsec_' + Buffer.alloc(24, 7).toString('base64');

describe('webhook ids', () => {
  it('are derived from tenant, event and subscription: stable, distinct, msg_-prefixed', () => {
    const id = webhookIdFor('t1', 'e1', 'sub_1');
    expect(id).toMatch(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(webhookIdFor('t1', 'e1', 'sub_1')).toBe(id);
    expect(
      new Set([
        id,
        webhookIdFor('t1', 'e1', 'sub_2'),
        webhookIdFor('t1', 'e2', 'sub_1'),
        webhookIdFor('t2', 'e1', 'sub_1'),
      ]).size,
    ).toBe(4);
  });
});

describe('fan-out', () => {
  const subs = [
    { subscriptionId: 'a', eventTypes: ['order.created'], enabled: true },
    { subscriptionId: 'b', eventTypes: ['order.*'], enabled: false },
    { subscriptionId: 'c', eventTypes: ['*'], enabled: true },
    { subscriptionId: 'd', eventTypes: ['invoice.*', 'order.updated'], enabled: true },
  ];

  it('matches exact types, prefixes and everything', () => {
    expect(matchingSubscriptions(subs, 'order.created').map((s) => s.subscriptionId)).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(matchingSubscriptions(subs, 'order.updated').map((s) => s.subscriptionId)).toEqual([
      'b',
      'c',
      'd',
    ]);
    expect(matchingSubscriptions(subs, 'order').map((s) => s.subscriptionId)).toEqual(['c']);
  });

  it('makes pending messages for enabled endpoints and held ones for disabled endpoints', () => {
    const event = { tenantId: 't1', eventId: 'e1', eventType: 'order.created' };
    expect(newMessage(event, subs[0]!, t0)).toEqual({
      tenantId: 't1',
      eventId: 'e1',
      subscriptionId: 'a',
      webhookId: webhookIdFor('t1', 'e1', 'a'),
      eventType: 'order.created',
      status: 'pending',
      attempts: 0,
      scheduledAttempts: 0,
      nextAttemptAt: t0.toISOString(),
      createdAt: t0.toISOString(),
      updatedAt: t0.toISOString(),
    });
    expect(newMessage(event, subs[1]!, t0)).toMatchObject({ status: 'held', attempts: 0 });
    expect(newMessage(event, subs[1]!, t0)).not.toHaveProperty('nextAttemptAt');
  });
});

describe('the signed request', () => {
  const event = {
    eventType: 'order.created',
    receivedAt: '2026-03-01T11:59:59.123Z',
    data: '{"b":1,"a":[1.5,"x"]}',
  };

  it('carries type, timestamp and the payload verbatim', () => {
    expect(webhookBody(event)).toBe(
      '{"type":"order.created","timestamp":"2026-03-01T11:59:59.123Z","data":{"b":1,"a":[1.5,"x"]}}',
    );
    expect(JSON.parse(webhookBody({ ...event, eventType: 'quote"d' })).type).toBe('quote"d');
  });

  it('verifies with standardwebhooks and svix, by either secret during a rotation', () => {
    const body = webhookBody(event);
    const now = new Date();
    const secrets = [
      { secret, createdAt: now.toISOString() },
      {
        secret: previous,
        createdAt: t0.toISOString(),
        expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
      },
    ];
    // Signed now: the verifiers refuse timestamps more than 5 minutes away from their clock.
    const headers = webhookHeaders(secrets, 'msg_1', now, body);
    expect(headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(headers['webhook-timestamp']).toMatch(/^\d{10}$/);
    for (const key of [secret, previous]) {
      expect(new Webhook(key).verify(body, headers)).toEqual(JSON.parse(body));
      expect(new SvixWebhook(key).verify(body, headers)).toEqual(JSON.parse(body));
    }
    expect(() =>
      new Webhook('whsec_' + Buffer.alloc(24, 9).toString('base64')).verify(body, headers),
    ).toThrow();
  });

  it('stops signing with a previous secret once it expired', () => {
    const secrets = [
      { secret, createdAt: t0.toISOString() },
      { secret: previous, createdAt: '2026-02-01T00:00:00.000Z', expiresAt: '2026-03-01T11:00:00.000Z' },
    ];
    expect(signatureHeader(secrets, 'msg_1', t0, '{}').split(' ')).toHaveLength(1);
    expect(signatureHeader(secrets, 'msg_1', t0, '{}')).toBe(new Webhook(secret).sign('msg_1', t0, '{}'));
  });
});

describe('rate limits and lanes', () => {
  it('lets the first N of a second go and spreads the rest over the next seconds', () => {
    expect(rateWindow(new Date(1_700_000_000_999))).toBe(1_700_000_000);
    expect(rateLimitOf({}, 100)).toBe(100);
    expect(rateLimitOf({ rateLimitPerSecond: 5 }, 100)).toBe(5);
    expect(rateDecision(5, 5)).toEqual({ allowed: true });
    expect(rateDecision(6, 5)).toEqual({ allowed: false, delaySeconds: 1 });
    expect(rateDecision(11, 5)).toEqual({ allowed: false, delaySeconds: 2 });
  });

  it('claims a tenth of the limit per write, and one place at a time under 20/s', () => {
    expect([1, 2, 19, 20, 100, 1_000].map(rateBlockOf)).toEqual([1, 1, 1, 2, 10, 100]);
  });

  it('moves endpoints that answer slowly to the slow lane for a while, renewing the mark sparingly', () => {
    const cfg = { slowLatencyMs: 5000, slowLaneSeconds: 600 };
    expect(slowMark({}, 100, false, t0, cfg)).toBeUndefined();
    const until = slowMark({}, 5000, false, t0, cfg)!;
    expect(until).toBe(new Date(t0.getTime() + 600_000).toISOString());
    expect(slowMark({}, 10, true, t0, cfg)).toBe(until);
    expect(slowMark({ slowUntil: until }, 9000, false, new Date(t0.getTime() + 60_000), cfg)).toBeUndefined();
    expect(slowMark({ slowUntil: until }, 9000, false, new Date(t0.getTime() + 400_000), cfg)).toBeDefined();
    expect(laneOf({ slowUntil: until }, t0)).toBe('slow');
    expect(laneOf({ slowUntil: until }, new Date(t0.getTime() + 600_001))).toBe('default');
    expect(laneOf(undefined, t0)).toBe('default');
  });
});
