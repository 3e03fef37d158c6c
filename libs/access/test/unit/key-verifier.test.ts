import { HttpError } from '@switchyard/runtime';
import type { ApiKeyProjection } from '../../src/api-keys';
import { createKeyVerifier } from '../../src/key-verifier';
import { at, makeKey, NOW, seconds, TENANT } from './fixtures';

const key = makeKey();

function record(overrides: Partial<ApiKeyProjection> = {}): ApiKeyProjection {
  return {
    keyId: key.keyId,
    tenantId: TENANT,
    role: 'creator',
    status: 'active',
    secretHash: key.secretHash,
    stamp: { time: NOW.toISOString(), messageId: 'm1' },
    revision: 1,
    ...overrides,
  };
}

function setup(initial: ApiKeyProjection | undefined) {
  let current = initial;
  let clock = NOW;
  const getApiKey = jest.fn(async () => current);
  const verifier = createKeyVerifier({ getApiKey, now: () => clock });
  return {
    verifier,
    getApiKey,
    set: (next: ApiKeyProjection | undefined) => (current = next),
    advance: (ms: number) => (clock = at(clock, ms)),
  };
}

const bearer = (value: string) => ({ authorization: `Bearer ${value}` });

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

describe('createKeyVerifier (key verification against a projection)', () => {
  it('returns the tenant, key and role of a valid creator key', async () => {
    const { verifier } = setup(record());
    await expect(verifier.verify(bearer(key.plaintext))).resolves.toEqual({
      tenantId: TENANT,
      keyId: key.keyId,
      role: 'creator',
    });
  });

  it('answers the same 401 for missing, malformed, unknown, wrong-secret and revoked keys', async () => {
    const { verifier, getApiKey } = setup(undefined);
    expect(await statusOf(verifier.verify({}))).toBe(401);
    expect(await statusOf(verifier.verify(bearer('sy_live_nope')))).toBe(401);
    expect(getApiKey).not.toHaveBeenCalled(); // malformed keys cost no read
    expect(await statusOf(verifier.verify(bearer(key.plaintext)))).toBe(401);

    const other = makeKey(key.keyId, 9);
    const wrong = setup(record());
    expect(await statusOf(wrong.verifier.verify(bearer(other.plaintext)))).toBe(401);
    const revoked = setup(record({ status: 'revoked' }));
    expect(await statusOf(revoked.verifier.verify(bearer(key.plaintext)))).toBe(401);
  });

  it('reuses a record for less than 2 s, so a revocation takes effect within that bound', async () => {
    const { verifier, getApiKey, set, advance } = setup(record());
    await verifier.verify(bearer(key.plaintext));
    set(record({ status: 'revoked' }));
    advance(1_999);
    expect(await statusOf(verifier.verify(bearer(key.plaintext)))).toBe(200);
    expect(getApiKey).toHaveBeenCalledTimes(1);
    advance(1);
    expect(await statusOf(verifier.verify(bearer(key.plaintext)))).toBe(401);
    expect(getApiKey).toHaveBeenCalledTimes(2);
  });

  it('re-reads an unknown key after 2 s, so a new key works soon after it is projected', async () => {
    const { verifier, set, advance } = setup(undefined);
    expect(await statusOf(verifier.verify(bearer(key.plaintext)))).toBe(401);
    set(record());
    expect(await statusOf(verifier.verify(bearer(key.plaintext)))).toBe(401);
    advance(seconds(2));
    expect(await statusOf(verifier.verify(bearer(key.plaintext)))).toBe(200);
  });
});
