import { createHmac } from 'node:crypto';
import { DEFAULT_PREFERENCES, deliveryMode, effectivePreferences } from '../../../src/domain/categories';
import { digestOf, notificationOf } from '../../../src/domain/notifications';
import { renderDigest, renderSingle, renderUnsubscribePage } from '../../../src/domain/render';
import { signUnsubscribeToken, verifyUnsubscribeToken } from '../../../src/domain/unsubscribe-token';

const header = {
  version: 1,
  id: 'evt_1',
  time: '2026-03-01T00:00:00.000Z',
  tenantId: 'ten_1',
  correlationId: 'c',
};

describe('categories', () => {
  it('fills in the defaults and never lets account be off', () => {
    expect(effectivePreferences(undefined)).toEqual(DEFAULT_PREFERENCES);
    const prefs = effectivePreferences({ comments: 'off', account: 'off', messages: 'bogus' });
    expect(prefs.comments).toBe('off');
    expect(prefs.account).toBe('instant');
    expect(prefs.messages).toBe('instant');
  });

  it('gathers always-digest sources unless the category is off', () => {
    expect(deliveryMode(DEFAULT_PREFERENCES, 'billing', true)).toBe('digest');
    expect(deliveryMode({ ...DEFAULT_PREFERENCES, webhooks: 'off' }, 'webhooks', true)).toBe('off');
    expect(deliveryMode(DEFAULT_PREFERENCES, 'messages')).toBe('instant');
  });
});

describe('what each event means', () => {
  it('tells earlier commenters of a comment, not its author', () => {
    const n = notificationOf({
      type: 'CommentCreated',
      message: {
        ...header,
        commentId: 'cmt_1',
        itemId: 'doc-1',
        authorId: 'usr_A',
        authorDisplayName: 'Ann',
        textPreview: 'hi',
        earlierCommenterIds: ['usr_B'],
        createdAt: header.time,
      },
    });
    expect(n).toMatchObject({
      eventId: 'evt_1',
      tenantId: 'ten_1',
      category: 'comments',
      audience: { kind: 'users', userIds: ['usr_B'] },
      excludeUserId: 'usr_A',
      detail: 'hi',
    });
  });

  it("sends exhausted webhook messages to the tenant's admins, always as a digest", () => {
    const n = notificationOf({
      type: 'MessageExhausted',
      message: {
        ...header,
        subscriptionId: 'sub_1',
        eventId: 'evt_x',
        webhookMessageId: 'msg_1',
        attempts: 8,
        lastError: { statusCode: 503, message: 'Service Unavailable' },
        exhaustedAt: header.time,
      },
    });
    expect(n.audience).toEqual({ kind: 'admins' });
    expect(n.alwaysDigest).toBe(true);
    expect(n.headline).toContain('HTTP 503');
  });
});

describe('digests', () => {
  it('lists the newest first, at most 10, and counts the rest', () => {
    const lines = Array.from({ length: 12 }, (_, i) => ({
      headline: `c${i}`,
      at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    }));
    const digest = digestOf('comments', lines, 15);
    expect(digest.subject).toBe('15 new comments');
    expect(digest.lines).toHaveLength(10);
    expect(digest.lines[0]?.headline).toBe('c11');
    expect(digest.more).toBe(5);
    const email = renderDigest({ tenantName: 'Acme', categoryLabel: 'comments' }, digest);
    expect(email.text).toContain('and 5 more');
  });

  it('names what every line is about in the subject, and nothing when they differ', () => {
    const line = (about: string, i: number) => ({ headline: `h${i}`, about, at: `2026-01-01T00:0${i}:00Z` });
    expect(digestOf('comments', [line('doc-1', 1), line('doc-1', 2), line('doc-1', 3)]).subject).toBe(
      '3 new comments on doc-1',
    );
    expect(digestOf('comments', [line('doc-1', 1), line('doc-2', 2)]).subject).toBe('2 new comments');
  });
});

describe('rendering', () => {
  it("escapes people's words in HTML and keeps them as they are in text", () => {
    const email = renderSingle(
      { tenantName: 'Acme & Co', categoryLabel: 'comments', unsubscribeUrl: 'https://x/u?token=a.b' },
      { subject: 's', headline: '<script>alert(1)</script>', detail: '"quoted" & <b>' },
    );
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.html).toContain('Acme &amp; Co');
    expect(email.text).toContain('<script>alert(1)</script>');
    expect(email.text).toContain('https://x/u?token=a.b');
  });

  it('shows a form on the unsubscribe page, or says the link is not valid', () => {
    expect(renderUnsubscribePage('comments')).toContain('value="One-Click"');
    expect(renderUnsubscribePage(undefined)).not.toContain('<form');
  });
});

describe('unsubscribe tokens', () => {
  const key = Buffer.alloc(32, 7);
  const claim = { tenantId: 'ten_1', userId: 'usr_1', category: 'comments' as const };

  it('round-trips and refuses tampering, other keys and account', () => {
    const token = signUnsubscribeToken(key, claim);
    expect(verifyUnsubscribeToken(key, token)).toEqual(claim);
    expect(verifyUnsubscribeToken(Buffer.alloc(32, 8), token)).toBeUndefined();
    const [payload, signature] = token.split('.');
    const other = Buffer.from(JSON.stringify({ t: 'ten_1', u: 'usr_2', c: 'comments' })).toString(
      'base64url',
    );
    expect(verifyUnsubscribeToken(key, `${other}.${signature}`)).toBeUndefined();
    expect(verifyUnsubscribeToken(key, `${payload}.${signature}x`)).toBeUndefined();
    expect(verifyUnsubscribeToken(key, 'garbage')).toBeUndefined();
    const account = Buffer.from(JSON.stringify({ t: 'ten_1', u: 'usr_1', c: 'account' })).toString(
      'base64url',
    );
    const signed = createHmac('sha256', key).update(account).digest('base64url');
    expect(verifyUnsubscribeToken(key, `${account}.${signed}`)).toBeUndefined();
  });
});
