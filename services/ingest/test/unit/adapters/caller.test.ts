import { createKeyVerifier } from '@switchyard/access';
import { HttpError } from '@switchyard/runtime';
import { authorizeCaller } from '../../../src/adapters/caller';
import { makeKey, NOW, TENANT } from '../domain/fixtures';

const key = makeKey();
const bearer = { authorization: `Bearer ${key.plaintext}` };

function verifierFor(role: 'viewer' | 'creator' | 'admin') {
  return createKeyVerifier({
    now: () => NOW,
    getApiKey: async () => ({
      keyId: key.keyId,
      tenantId: TENANT,
      role,
      status: 'active',
      secretHash: key.secretHash,
      stamp: { time: NOW.toISOString(), messageId: 'm1' },
      revision: 1,
    }),
  });
}

async function statusOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    if (error instanceof HttpError) return error.status;
    throw error;
  }
}

describe('authorizeCaller', () => {
  it('returns the tenant, key and role of a creator key allowed to publish', async () => {
    await expect(authorizeCaller(verifierFor('creator'), bearer, 'events:publish')).resolves.toEqual({
      tenantId: TENANT,
      keyId: key.keyId,
      role: 'creator',
    });
  });

  it('answers 403 when the role may not perform the action (viewer publishing), 200 for reading', async () => {
    expect(await statusOf(authorizeCaller(verifierFor('viewer'), bearer, 'events:publish'))).toBe(403);
    expect(await statusOf(authorizeCaller(verifierFor('viewer'), bearer, 'events:read'))).toBe(200);
  });

  it('answers 401 before any role check when the key is missing', async () => {
    expect(await statusOf(authorizeCaller(verifierFor('admin'), {}, 'events:read'))).toBe(401);
  });
});
