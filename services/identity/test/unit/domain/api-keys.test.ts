import { createHash } from 'node:crypto';
import type { ApiKeyRecord } from '../../../src/domain/api-keys';
import {
  canAdminister,
  canPublish,
  canTransition,
  checkApiKey,
  displayApiKey,
  environmentForStage,
  generateApiKey,
  hashSecret,
  lastUsedCutoff,
  newApiKey,
  parseApiKey,
  shouldRecordLastUsed,
  toApiKeySummary,
  transitionStatus,
  verifySecret,
} from '../../../src/domain/api-keys';
import { NOW, at, minutes, scriptedRandom, seededRandom } from './fixtures';

describe('generateApiKey', () => {
  it('builds sy_live_<keyId>_<secret> with a 100-bit key id and a 32-byte secret', () => {
    const key = generateApiKey(seededRandom('gen'));
    expect(key.plaintext).toBe(`sy_live_${key.keyId}_${key.secret}`);
    expect(key.keyId).toMatch(/^[0-9a-hjkmnp-tv-z]{20}$/);
    expect(Buffer.from(key.secret, 'base64url')).toHaveLength(32);
    expect(key.secretHash).toBe(createHash('sha256').update(key.secret).digest('hex'));
  });

  it('uses exactly the bytes of the random source (13 for the id, 32 for the secret)', () => {
    const key = generateApiKey(scriptedRandom(new Array(13).fill(0), new Array(32).fill(0xff)), 'test');
    expect(key.keyId).toBe('0'.repeat(20));
    expect(key.secret).toBe(Buffer.alloc(32, 0xff).toString('base64url'));
    expect(key.plaintext.startsWith('sy_test_00000000000000000000_')).toBe(true);
  });

  it('gives different keys for different random draws', () => {
    const random = seededRandom('twice');
    const a = generateApiKey(random);
    const b = generateApiKey(random);
    expect(a.keyId).not.toBe(b.keyId);
    expect(a.secret).not.toBe(b.secret);
  });

  it('round-trips through parseApiKey, including secrets that contain _ and -', () => {
    // 0xfb 0xff… encodes to base64url full of '-' and '_'.
    const key = generateApiKey(scriptedRandom(new Array(13).fill(7), new Array(32).fill(0xfb)));
    expect(key.secret).toMatch(/[-_]/);
    expect(parseApiKey(key.plaintext)).toEqual({ keyId: key.keyId, secret: key.secret, environment: 'live' });
  });
});

describe('environmentForStage', () => {
  it('issues live keys in production only', () => {
    expect(environmentForStage('prod')).toBe('live');
    expect(environmentForStage('Production')).toBe('live');
    expect(environmentForStage('dev')).toBe('test');
    expect(environmentForStage('local')).toBe('test');
  });
});

describe('parseApiKey', () => {
  const key = generateApiKey(seededRandom('parse'));

  it('tolerates surrounding whitespace from copy-paste', () => {
    expect(parseApiKey(`  ${key.plaintext}\n`)?.keyId).toBe(key.keyId);
  });

  it.each([
    ['empty', ''],
    ['wrong prefix', key.plaintext.replace('sy_', 'sk_')],
    ['unknown environment', key.plaintext.replace('_live_', '_prod_')],
    ['short key id', `sy_live_${key.keyId.slice(1)}_${key.secret}`],
    ['uppercase key id', `sy_live_${key.keyId.toUpperCase().replace(/\d/g, 'A')}_${key.secret}`],
    ['short secret', key.plaintext.slice(0, -1)],
    ['long secret', `${key.plaintext}A`],
    ['padding', `${key.plaintext.slice(0, -1)}=`],
    ['standard base64 characters', `sy_live_${key.keyId}_${key.secret.slice(0, -2)}+/`],
    ['space inside', key.plaintext.replace('_live_', '_live _')],
    ['huge input', 'sy_live_'.repeat(1000)],
  ])('returns null for %s', (_label, text) => {
    expect(parseApiKey(text)).toBeNull();
  });

  it('rejects a non-canonical secret encoding (last character carries stray bits)', () => {
    // 'A'×42 + 'B': decodes to 32 zero bytes, whose canonical encoding ends in 'A'.
    expect(parseApiKey(`sy_live_${key.keyId}_${'A'.repeat(42)}B`)).toBeNull();
    expect(parseApiKey(`sy_live_${key.keyId}_${'A'.repeat(43)}`)).not.toBeNull();
  });

  it.each([undefined, null, 42, {}, ['sy_live']])('returns null for non-strings (%p)', (value) => {
    expect(parseApiKey(value)).toBeNull();
  });
});

describe('verifySecret', () => {
  const key = generateApiKey(seededRandom('verify'));

  it('accepts the secret whose hash is stored', () => {
    expect(verifySecret(key.secret, key.secretHash)).toBe(true);
  });

  it('rejects another secret, and a secret one character off', () => {
    expect(verifySecret(generateApiKey(seededRandom('other')).secret, key.secretHash)).toBe(false);
    const flipped = (key.secret[0] === 'A' ? 'B' : 'A') + key.secret.slice(1);
    expect(verifySecret(flipped, key.secretHash)).toBe(false);
  });

  it('returns false (does not throw) for a malformed stored hash', () => {
    expect(verifySecret(key.secret, 'abc')).toBe(false);
    expect(verifySecret(key.secret, key.secretHash.toUpperCase())).toBe(false);
    expect(verifySecret(key.secret, '')).toBe(false);
  });

  it('hashes the secret as text, the way ingest re-computes it from the header', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('roles', () => {
  it.each([
    ['viewer', false, false],
    ['creator', true, false],
    ['admin', true, true],
  ] as const)('%s: publish %p, administer %p', (role, publish, administer) => {
    expect(canPublish(role)).toBe(publish);
    expect(canAdminister(role)).toBe(administer);
  });
});

describe('status transitions', () => {
  it('lets active and inactive keys switch and be revoked', () => {
    expect(canTransition('active', 'inactive')).toBe(true);
    expect(canTransition('inactive', 'active')).toBe(true);
    expect(canTransition('active', 'revoked')).toBe(true);
    expect(canTransition('inactive', 'revoked')).toBe(true);
  });

  it('makes revocation final', () => {
    expect(canTransition('revoked', 'active')).toBe(false);
    expect(canTransition('revoked', 'inactive')).toBe(false);
    expect(transitionStatus('revoked', 'active')).toEqual({
      outcome: 'forbidden',
      status: 'revoked',
      message: 'a revoked key cannot become active',
    });
  });

  it('treats asking for the current status as a no-op, so revoking twice succeeds', () => {
    expect(transitionStatus('revoked', 'revoked')).toEqual({ outcome: 'unchanged', status: 'revoked' });
    expect(transitionStatus('active', 'revoked')).toEqual({ outcome: 'changed', status: 'revoked' });
  });
});

describe('newApiKey and checkApiKey', () => {
  const created = newApiKey(
    { tenantId: 'ten_1', role: 'creator', ownerEmail: 'ann@example.com', name: 'ci' },
    { now: NOW, random: seededRandom('record') },
  );
  const record = created.record;

  it('stores the hash, never the secret', () => {
    const secret = parseApiKey(created.plaintext)?.secret ?? '';
    expect(secret).not.toBe('');
    expect(JSON.stringify(record)).not.toContain(secret);
    expect(record).toMatchObject({
      status: 'active',
      role: 'creator',
      createdAt: NOW.toISOString(),
      name: 'ci',
    });
    expect(record).not.toHaveProperty('expiresAt');
  });

  it('refuses an expiry in the past', () => {
    expect(() =>
      newApiKey({ tenantId: 't', role: 'viewer', expiresAt: NOW }, { now: NOW, random: seededRandom('x') }),
    ).toThrow(RangeError);
  });

  it('accepts the key it issued', () => {
    expect(checkApiKey(created.plaintext, record, NOW)).toEqual({ ok: true, key: record });
  });

  it.each<[string, string, ApiKeyRecord | undefined, string]>([
    ['garbage', 'Bearer nope', record, 'malformed'],
    ['no record found', created.plaintext, undefined, 'unknown'],
    ['a record for another id', created.plaintext, { ...record, keyId: 'x'.repeat(20) }, 'unknown'],
    ['a test key presented as live', created.plaintext, { ...record, environment: 'test' }, 'unknown'],
    ['a wrong secret', created.plaintext, { ...record, secretHash: hashSecret('other') }, 'mismatch'],
    ['a revoked key', created.plaintext, { ...record, status: 'revoked' }, 'revoked'],
    ['an inactive key', created.plaintext, { ...record, status: 'inactive' }, 'inactive'],
    ['an expired key', created.plaintext, { ...record, expiresAt: NOW.toISOString() }, 'expired'],
  ])('rejects %s', (_label, presented, stored, reason) => {
    expect(checkApiKey(presented, stored, NOW)).toEqual({ ok: false, reason });
  });

  it('accepts a key before its expiry', () => {
    expect(checkApiKey(created.plaintext, { ...record, expiresAt: at(NOW, 1).toISOString() }, NOW).ok).toBe(
      true,
    );
  });
});

describe('shouldRecordLastUsed', () => {
  it('records the first use', () => {
    expect(shouldRecordLastUsed(undefined, NOW)).toBe(true);
  });

  it('skips uses within 5 minutes of the last recorded one', () => {
    expect(shouldRecordLastUsed(at(NOW, -minutes(4)), NOW)).toBe(false);
    expect(shouldRecordLastUsed(at(NOW, -minutes(5) + 1).toISOString(), NOW)).toBe(false);
  });

  it('records again once the interval has passed', () => {
    expect(shouldRecordLastUsed(at(NOW, -minutes(5)), NOW)).toBe(true);
    expect(shouldRecordLastUsed(at(NOW, -minutes(60)).toISOString(), NOW)).toBe(true);
  });

  it('honours a custom interval', () => {
    expect(shouldRecordLastUsed(at(NOW, -minutes(2)), NOW, minutes(1))).toBe(true);
    expect(shouldRecordLastUsed(at(NOW, -minutes(2)), NOW, minutes(3))).toBe(false);
  });

  it('corrects a last-used time far in the future or unreadable', () => {
    expect(shouldRecordLastUsed(at(NOW, minutes(10)), NOW)).toBe(true);
    expect(shouldRecordLastUsed(at(NOW, minutes(1)), NOW)).toBe(false);
    expect(shouldRecordLastUsed('not a date', NOW)).toBe(true);
  });

  it('gives the conditional-write cut-off one interval back', () => {
    expect(lastUsedCutoff(NOW)).toBe('2025-06-01T11:55:00.000Z');
  });
});

describe('display', () => {
  it('shows the key id and never the secret', () => {
    const { record, plaintext } = newApiKey(
      { tenantId: 't', role: 'admin', environment: 'test' },
      { now: NOW, random: seededRandom('display') },
    );
    const secret = parseApiKey(plaintext)?.secret ?? 'missing';
    expect(displayApiKey(record)).toBe(`sy_test_${record.keyId}_…`);
    const summary = toApiKeySummary(record);
    expect(summary.display).toBe(displayApiKey(record));
    expect(summary).not.toHaveProperty('secretHash');
    expect(JSON.stringify(summary)).not.toContain(secret);
    expect(summary).toMatchObject({ keyId: record.keyId, role: 'admin', status: 'active' });
  });
});
