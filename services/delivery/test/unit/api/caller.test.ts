// Who may call delivery's API: admin API keys and people in their tenant's Admins group; everyone
// else gets the same 401, or 403 when authenticated but not an admin. Keys and tokens are fakes here;
// the integration suite uses real ones.
import type { AuthenticatedKey, Person } from '@switchyard/access';
import { HttpError, unauthorized } from '@switchyard/runtime';
import type { CallerDeps } from '../../../src/adapters/caller';
import { INVALID_CREDENTIALS, resolveTenantAdmin } from '../../../src/adapters/caller';

/** identity's format: 20 base32 characters of key id, 32 bytes of secret in base64url. */
const API_KEY = `sy_test_${'a'.repeat(20)}_${Buffer.alloc(32, 7).toString('base64url')}`;
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJl';

function deps(overrides: { key?: AuthenticatedKey | Error; person?: Person | Error } = {}) {
  const log = { info: jest.fn() };
  const keys = {
    verify: jest.fn(async () => {
      if (overrides.key instanceof Error) throw overrides.key;
      return overrides.key ?? { keyId: 'key_1', tenantId: 'ten_A', role: 'admin' as const };
    }),
  };
  const verifyPerson = jest.fn(async () => {
    if (overrides.person instanceof Error) throw overrides.person;
    return overrides.person ?? { userId: 'usr_1', groups: ['Admins'], tenantId: 'ten_A' };
  });
  return { keys, verifyPerson, log } satisfies CallerDeps;
}

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('resolveTenantAdmin', () => {
  it('accepts an admin API key for its tenant', async () => {
    const d = deps();
    await expect(resolveTenantAdmin(bearer(API_KEY), d)).resolves.toEqual({
      tenantId: 'ten_A',
      kind: 'apiKey',
      actorId: 'key:key_1',
    });
    expect(d.verifyPerson).not.toHaveBeenCalled();
  });

  it.each(['viewer', 'creator'] as const)('refuses a %s key with 403', async (role) => {
    const error = await refusal(
      resolveTenantAdmin(bearer(API_KEY), deps({ key: { keyId: 'k', tenantId: 'ten_A', role } })),
    );
    expect([error.status, error.code]).toEqual([403, 'forbidden']);
  });

  it('answers every key failure with the one 401 message', async () => {
    const error = await refusal(
      resolveTenantAdmin(bearer(API_KEY), deps({ key: unauthorized('Missing or invalid API key') })),
    );
    expect([error.status, error.message]).toEqual([401, INVALID_CREDENTIALS]);
    expect(error.headers['WWW-Authenticate']).toBe('Bearer');
  });

  it('lets other key errors through (a 500, not the caller’s fault)', async () => {
    await expect(
      resolveTenantAdmin(bearer(API_KEY), deps({ key: new Error('DynamoDB down') })),
    ).rejects.toThrow('DynamoDB down');
  });

  it('accepts a person in Admins with a tenant', async () => {
    const d = deps();
    await expect(resolveTenantAdmin(bearer(JWT), d)).resolves.toEqual({
      tenantId: 'ten_A',
      kind: 'person',
      actorId: 'usr_1',
    });
    expect(d.verifyPerson).toHaveBeenCalledWith(JWT);
    expect(d.keys.verify).not.toHaveBeenCalled();
  });

  it('refuses a person outside Admins, or without a tenant, with 403', async () => {
    for (const person of [
      { userId: 'u', groups: ['Viewers'], tenantId: 'ten_A' },
      { userId: 'u', groups: ['Admins'] },
    ]) {
      const error = await refusal(resolveTenantAdmin(bearer(JWT), deps({ person })));
      expect(error.status).toBe(403);
    }
  });

  it('answers an invalid token with the one 401 and logs why, never the token', async () => {
    const d = deps({ person: new Error('"exp" claim timestamp check failed') });
    const error = await refusal(resolveTenantAdmin(bearer(JWT), d));
    expect([error.status, error.message]).toEqual([401, INVALID_CREDENTIALS]);
    expect(JSON.stringify(d.log.info.mock.calls)).toContain('exp');
    expect(JSON.stringify(d.log.info.mock.calls)).not.toContain(JWT);
  });

  it.each([
    ['no header', {}],
    ['an empty bearer', { authorization: 'Bearer ' }],
    ['another scheme', { authorization: `Basic ${API_KEY}` }],
    ['garbage', { authorization: 'Bearer not-a-key-or-token' }],
  ])('answers %s with the one 401', async (_label, headers) => {
    const d = deps();
    const error = await refusal(resolveTenantAdmin(headers, d));
    expect([error.status, error.message]).toEqual([401, INVALID_CREDENTIALS]);
    expect(d.keys.verify).not.toHaveBeenCalled();
    expect(d.verifyPerson).not.toHaveBeenCalled();
  });
});
