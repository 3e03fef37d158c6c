import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  KEY_CACHE_TTL_MS,
  UNAUTHENTICATED_MESSAGE,
  applyApiKeyEvent,
  bearerToken,
  isCacheEntryFresh,
  parseApiKey,
  verifyPresentedKey,
} from '../../src/api-keys';
import type { ApiKeyEvent, ApiKeyProjection } from '../../src/api-keys';
import { NOW, OTHER_TENANT, TENANT, at, created, KEY, makeKey, revoked, seconds, updated } from './fixtures';

const T1 = '2025-06-01T10:00:00.000Z';
const T2 = '2025-06-01T10:05:00.000Z';
const T3 = '2025-06-01T10:10:00.000Z';

/** Applies events in order, as the consumer would, returning the stored record. */
function project(...events: ApiKeyEvent[]): ApiKeyProjection | undefined {
  let record: ApiKeyProjection | undefined;
  for (const event of events) record = applyApiKeyEvent(record, event).record;
  return record;
}

describe('applyApiKeyEvent', () => {
  it('builds the record from ApiKeyCreated', () => {
    const result = applyApiKeyEvent(undefined, created(T1, { expiresAt: '2026-01-01T00:00:00.000Z' }));
    expect(result.outcome).toBe('applied');
    expect(result.record).toMatchObject({
      keyId: KEY.keyId,
      tenantId: TENANT,
      role: 'creator',
      status: 'active',
      secretHash: KEY.secretHash,
      expiresAt: '2026-01-01T00:00:00.000Z',
      revision: 1,
    });
  });

  it('applies a newer update and ignores an older one', () => {
    const record = project(created(T1), updated(T3, { status: 'inactive', role: 'viewer' }));
    expect(record).toMatchObject({ status: 'inactive', role: 'viewer', revision: 2 });
    const stale = applyApiKeyEvent(record, updated(T2, { status: 'active', role: 'admin' }));
    expect(stale).toMatchObject({
      outcome: 'ignored',
      reason: 'stale',
      record: { status: 'inactive', role: 'viewer' },
    });
  });

  it('ignores a redelivered event', () => {
    const record = project(created(T1));
    expect(applyApiKeyEvent(record, created(T1))).toMatchObject({
      outcome: 'ignored',
      reason: 'redelivered',
    });
  });

  it('never resurrects a revoked key, whatever arrives later or carries a later time', () => {
    const record = project(created(T1), revoked(T2));
    expect(record?.status).toBe('revoked');
    const later = applyApiKeyEvent(record, updated(T3, { status: 'active', role: 'admin' }));
    expect(later).toMatchObject({ outcome: 'ignored', reason: 'revoked', record: { status: 'revoked' } });
  });

  it('keeps revocation final even when the revocation is older than an update already applied', () => {
    const record = project(created(T1), updated(T3, { status: 'active', role: 'admin' }), revoked(T2));
    expect(record?.status).toBe('revoked');
  });

  it('converges to the same state whatever the delivery order', () => {
    const events = [
      created(T1),
      updated(T2, { status: 'inactive', role: 'admin' }),
      updated(T3, { status: 'active', role: 'viewer' }),
    ];
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
      [2, 0, 1],
    ];
    const states = orders.map((order) => {
      const r = project(...order.map((i) => events[i] as ApiKeyEvent));
      return { role: r?.role, status: r?.status, secretHash: r?.secretHash };
    });
    for (const state of states)
      expect(state).toEqual({ role: 'viewer', status: 'active', secretHash: KEY.secretHash });
  });

  it('lets a late ApiKeyCreated fill the secret without undoing a revocation that arrived first', () => {
    const early = project(revoked(T2));
    expect(early).toMatchObject({ status: 'revoked' });
    expect(early?.secretHash).toBeUndefined();
    const record = project(revoked(T2), created(T1));
    expect(record).toMatchObject({ status: 'revoked', secretHash: KEY.secretHash, role: 'creator' });
    expect(verifyPresentedKey(KEY.plaintext, record, NOW)).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('refuses an event that claims the key for another tenant', () => {
    const record = project(created(T1));
    const foreign = revoked(T2);
    foreign.message.tenantId = OTHER_TENANT;
    expect(() => applyApiKeyEvent(record, foreign)).toThrow(/another tenant/);
  });

  it('clears the expiry when an update removes it', () => {
    const record = project(
      created(T1, { expiresAt: '2026-01-01T00:00:00.000Z' }),
      updated(T2, { status: 'active', role: 'creator' }),
    );
    expect(record?.expiresAt).toBeUndefined();
  });
});

describe('parseApiKey (identity format, re-implemented)', () => {
  it('splits environment, keyId and secret', () => {
    expect(parseApiKey(` ${KEY.plaintext} `)).toEqual({
      environment: 'live',
      keyId: KEY.keyId,
      secret: KEY.secret,
    });
    expect(parseApiKey(makeKey(undefined, 1, 'test').plaintext)?.environment).toBe('test');
  });

  it('returns null for anything malformed, never throwing', () => {
    for (const bad of [
      undefined,
      42,
      '',
      'sy_prod_abcdefghjkmnpqrstvwx_' + KEY.secret,
      KEY.plaintext + 'x',
      KEY.plaintext.replace('sy_', 'sk_'),
      'sy_live_ABCDEFGHJKMNPQRSTVWX_' + KEY.secret,
    ]) {
      expect(parseApiKey(bad)).toBeNull();
    }
    // 43 base64url characters whose last one carries bits a 32-byte secret cannot have.
    // ('B' = 000001: its low two bits would be a 33rd byte.)
    const nonCanonical = KEY.plaintext.slice(0, -1) + 'B';
    expect(nonCanonical).not.toBe(KEY.plaintext);
    expect(parseApiKey(nonCanonical)).toBeNull();
  });

  it('extracts a bearer token', () => {
    expect(bearerToken(`Bearer ${KEY.plaintext}`)).toBe(KEY.plaintext);
    expect(bearerToken(`bearer   ${KEY.plaintext} `)).toBe(KEY.plaintext);
    expect(bearerToken(`Basic abc`)).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
  });
});

describe('verifyPresentedKey', () => {
  const record = project(created(T1)) as ApiKeyProjection;

  it('authenticates a matching active key', () => {
    expect(verifyPresentedKey(KEY.plaintext, record, NOW)).toEqual({
      ok: true,
      key: { keyId: KEY.keyId, tenantId: TENANT, role: 'creator' },
    });
  });

  it.each([
    ['malformed', 'not-a-key', record],
    ['unknown', KEY.plaintext, undefined],
    ['mismatch', makeKey(KEY.keyId, 9).plaintext, record],
    ['revoked', KEY.plaintext, { ...record, status: 'revoked' as const }],
    ['inactive', KEY.plaintext, { ...record, status: 'inactive' as const }],
    ['expired', KEY.plaintext, { ...record, expiresAt: NOW.toISOString() }],
  ])('answers %s with the same generic 401', (reason, presented, stored) => {
    expect(verifyPresentedKey(presented, stored, NOW)).toEqual({
      ok: false,
      status: 401,
      code: 'unauthorized',
      message: UNAUTHENTICATED_MESSAGE,
      reason,
    });
  });

  it('does not authenticate a record known only from a later event (no secret yet)', () => {
    const partial = project(updated(T2, { status: 'active', role: 'admin' }));
    expect(verifyPresentedKey(KEY.plaintext, partial, NOW)).toMatchObject({ ok: false, reason: 'unknown' });
  });

  it('does not accept a record stored under another key id', () => {
    expect(verifyPresentedKey(makeKey('zzzzzzzzzzzzzzzzzzzz').plaintext, record, NOW)).toMatchObject({
      reason: 'unknown',
    });
  });

  it('accepts a key before its expiry', () => {
    expect(
      verifyPresentedKey(KEY.plaintext, { ...record, expiresAt: at(NOW, 1).toISOString() }, NOW).ok,
    ).toBe(true);
  });
});

describe('key cache bound', () => {
  it('never keeps an entry 2 s or longer, even if asked to', () => {
    const cachedAt = NOW.getTime();
    expect(isCacheEntryFresh(cachedAt, at(NOW, 1_999))).toBe(true);
    expect(isCacheEntryFresh(cachedAt, at(NOW, KEY_CACHE_TTL_MS))).toBe(false);
    expect(isCacheEntryFresh(cachedAt, at(NOW, seconds(90)), 10 * 60_000)).toBe(false);
    expect(isCacheEntryFresh(cachedAt, at(NOW, -1))).toBe(false);
  });
});

describe('purity', () => {
  it('the key rules import no AWS SDK and no service code', () => {
    const source = readFileSync(join(__dirname, '../../src/api-keys.ts'), 'utf8');
    expect(
      source.match(/from '(@aws-sdk\/[^']+|@switchyard\/(?!contracts)[^']+|[./]*services\/[^']+)'/g),
    ).toBeNull();
  });
});
