import { HttpError } from '@switchyard/runtime';
import type { ApiKeyProjection } from '../../../src/domain/api-key-projection';
import { createKeyVerifier } from '../../../src/adapters/caller';
import type { ProjectionStore } from '../../../src/adapters/projections';
import { at, makeKey, NOW, seconds, TENANT } from '../domain/fixtures';

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
  const store = { getApiKey } as unknown as ProjectionStore;
  const verifier = createKeyVerifier({ store: () => store, now: () => clock });
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

describe('authenticate (key verification against the projection)', () => {
  it('returns the tenant, key and role of a valid creator key', async () => {
    const { verifier } = setup(record());
    await expect(verifier.authenticate(bearer(key.plaintext), 'events:publish')).resolves.toEqual({
      tenantId: TENANT,
      keyId: key.keyId,
      role: 'creator',
    });
  });

  it('answers 403 when the role may not perform the action (viewer publishing)', async () => {
    const { verifier } = setup(record({ role: 'viewer' }));
    expect(await statusOf(verifier.authenticate(bearer(key.plaintext), 'events:publish'))).toBe(403);
    expect(await statusOf(verifier.authenticate(bearer(key.plaintext), 'events:read'))).toBe(200);
  });

  it('answers the same 401 for missing, malformed, unknown, wrong-secret and revoked keys', async () => {
    const { verifier, getApiKey } = setup(undefined);
    expect(await statusOf(verifier.authenticate({}, 'events:publish'))).toBe(401);
    expect(await statusOf(verifier.authenticate(bearer('sy_live_nope'), 'events:publish'))).toBe(401);
    expect(getApiKey).not.toHaveBeenCalled(); // malformed keys cost no read
    expect(await statusOf(verifier.authenticate(bearer(key.plaintext), 'events:publish'))).toBe(401);

    const other = makeKey(key.keyId, 9);
    const wrong = setup(record());
    expect(await statusOf(wrong.verifier.authenticate(bearer(other.plaintext), 'events:publish'))).toBe(401);
    const revoked = setup(record({ status: 'revoked' }));
    expect(await statusOf(revoked.verifier.authenticate(bearer(key.plaintext), 'events:publish'))).toBe(401);
  });

  it('reuses a record for less than 60 s, so a revocation takes effect within that bound', async () => {
    const { verifier, getApiKey, set, advance } = setup(record());
    await verifier.authenticate(bearer(key.plaintext), 'events:publish');
    set(record({ status: 'revoked' }));
    advance(seconds(59));
    expect(await statusOf(verifier.authenticate(bearer(key.plaintext), 'events:publish'))).toBe(200);
    expect(getApiKey).toHaveBeenCalledTimes(1);
    advance(seconds(1));
    expect(await statusOf(verifier.authenticate(bearer(key.plaintext), 'events:publish'))).toBe(401);
    expect(getApiKey).toHaveBeenCalledTimes(2);
  });

  it('re-reads an unknown key after 2 s, so a new key works soon after it is projected', async () => {
    const { verifier, set, advance } = setup(undefined);
    expect(await statusOf(verifier.authenticate(bearer(key.plaintext), 'events:publish'))).toBe(401);
    set(record());
    expect(await statusOf(verifier.authenticate(bearer(key.plaintext), 'events:publish'))).toBe(401);
    advance(seconds(2));
    expect(await statusOf(verifier.authenticate(bearer(key.plaintext), 'events:publish'))).toBe(200);
  });
});
