import { isHttpError } from '@switchyard/runtime';
import type { KeyVerifier } from '../../src/key-verifier';

type AuthenticatedKey = Awaited<ReturnType<KeyVerifier['verify']>>;
import type { Person } from '../../src/person-tokens';
import { resolveTenantAdmin } from '../../src/tenant-admin';
import { makeKey } from './fixtures';

const API_KEY = makeKey().plaintext;
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJl';
const MESSAGES = { invalidCredentials: 'Missing or invalid credentials.', notAnAdmin: 'Admins only.' };

function deps(
  key: Partial<AuthenticatedKey>,
  person: Person = { userId: 'usr_1', groups: ['Admins'], tenantId: 'ten_A' },
) {
  return {
    keys: {
      verify: async () => ({ keyId: 'k1', tenantId: 'ten_A', role: 'admin', ...key }) as AuthenticatedKey,
    },
    verifyPerson: async () => person,
  };
}

async function statusOf(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isHttpError(error) ? [error.status, error.message] : error;
}

describe('resolveTenantAdmin', () => {
  it('admits an admin key and a person in Admins, naming the actor', async () => {
    expect(await resolveTenantAdmin({ authorization: `Bearer ${API_KEY}` }, deps({}), MESSAGES)).toEqual({
      tenantId: 'ten_A',
      kind: 'apiKey',
      actorId: 'key:k1',
    });
    expect(await resolveTenantAdmin({ authorization: `Bearer ${JWT}` }, deps({}), MESSAGES)).toEqual({
      tenantId: 'ten_A',
      kind: 'person',
      actorId: 'usr_1',
    });
  });

  it("refuses another role's key and a person outside Admins or without a tenant with the service's 403", async () => {
    const key = { authorization: `Bearer ${API_KEY}` };
    const jwt = { authorization: `Bearer ${JWT}` };
    expect(await statusOf(resolveTenantAdmin(key, deps({ role: 'creator' }), MESSAGES))).toEqual([
      403,
      'Admins only.',
    ]);
    expect(
      await statusOf(
        resolveTenantAdmin(jwt, deps({}, { userId: 'u', groups: ['Viewers'], tenantId: 'ten_A' }), MESSAGES),
      ),
    ).toEqual([403, 'Admins only.']);
    expect(
      await statusOf(resolveTenantAdmin(jwt, deps({}, { userId: 'u', groups: ['Admins'] }), MESSAGES)),
    ).toEqual([403, 'Admins only.']);
    expect(await statusOf(resolveTenantAdmin({}, deps({}), MESSAGES))).toEqual([
      401,
      'Missing or invalid credentials.',
    ]);
  });
});
