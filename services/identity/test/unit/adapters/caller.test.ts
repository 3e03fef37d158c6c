import { ConfigError, HttpError } from '@switchyard/runtime';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  INVALID_CREDENTIALS,
  requireOperator,
  requireTenantAdmin,
  resolveCaller,
} from '../../../src/adapters/caller';
import type { CallerDeps } from '../../../src/adapters/caller';
import type { IdentityStore } from '../../../src/adapters/identity-store';
import type { ApiKeyRecord, Role } from '../../../src/domain/api-keys';
import { newApiKey } from '../../../src/domain/api-keys';
import type { UserRecord } from '../../../src/domain/users';
import { aUser, at, minutes, NOW, seededRandom } from '../domain/fixtures';

const TENANT = 'ten_01JX0000000000000000000000';

function issue(role: Role, overrides: Partial<ApiKeyRecord> = {}) {
  const key = newApiKey(
    { tenantId: TENANT, role },
    { now: at(NOW, -minutes(60)), random: seededRandom(role) },
  );
  return { plaintext: key.plaintext, record: { ...key.record, ...overrides } };
}

function fakeStore(records: ApiKeyRecord[]) {
  const calls = { getApiKey: [] as string[], recordLastUsed: [] as string[] };
  const store = {
    getApiKey: async (keyId: string) => {
      calls.getApiKey.push(keyId);
      return records.find((r) => r.keyId === keyId);
    },
    recordLastUsed: async (keyId: string) => {
      calls.recordLastUsed.push(keyId);
      return true;
    },
  } as unknown as IdentityStore;
  return { store, calls };
}

const logger = { info: () => undefined };

/** Identity's user items, by user id: every person the tests sign in is an active admin of TENANT. */
function fakeUsers(overrides: Record<string, Partial<UserRecord> | null> = {}): CallerDeps['users'] {
  return {
    getUser: async (userId: string) => {
      const override = overrides[userId];
      if (override === null) return undefined;
      return aUser({ userId, tenantId: TENANT, email: `${userId}@example.com`, ...override });
    },
  };
}

const deps = (store: IdentityStore, extra: Partial<CallerDeps> = {}): CallerDeps => ({
  store,
  users: fakeUsers(),
  logger,
  now: () => NOW,
  verifyPerson: async () => {
    throw new Error('not a person token');
  },
  ...extra,
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HttpError);
  return error as HttpError;
}

describe('resolveCaller with an API key', () => {
  it('looks the key up by id once, and records last-used only when the interval has passed', async () => {
    const fresh = issue('admin');
    const recent = issue('viewer', { lastUsedAt: at(NOW, -minutes(1)).toISOString() });
    const { store, calls } = fakeStore([fresh.record, recent.record]);

    await expect(resolveCaller(bearer(fresh.plaintext), deps(store))).resolves.toEqual({
      kind: 'apiKey',
      tenantId: TENANT,
      role: 'admin',
      keyId: fresh.record.keyId,
      actorId: `key:${fresh.record.keyId}`,
    });
    await resolveCaller(bearer(recent.plaintext), deps(store));

    expect(calls.getApiKey).toEqual([fresh.record.keyId, recent.record.keyId]);
    expect(calls.recordLastUsed).toEqual([fresh.record.keyId]);
  });

  it.each([
    ['no header', {}],
    ['not a bearer', { authorization: 'Basic abc' }],
    ['garbage', bearer('garbage')],
  ])('refuses %s with the generic 401', async (_label, headers) => {
    const { store } = fakeStore([]);
    const error = await refusal(resolveCaller(headers, deps(store)));
    expect(error).toMatchObject({ status: 401, message: INVALID_CREDENTIALS });
  });

  it.each([
    ['revoked', { status: 'revoked' as const }],
    ['inactive', { status: 'inactive' as const }],
    ['expired', { expiresAt: at(NOW, -1).toISOString() }],
    ['unknown', { keyId: 'zzzzzzzzzzzzzzzzzzzz' }],
    ['a different secret', { secretHash: 'a'.repeat(64) }],
  ])('refuses a %s key with the same 401 and no last-used write', async (_label, overrides) => {
    const key = issue('admin', overrides);
    const { store, calls } = fakeStore([key.record]);
    const error = await refusal(resolveCaller(bearer(key.plaintext), deps(store)));
    expect(error).toMatchObject({ status: 401, message: INVALID_CREDENTIALS });
    expect(calls.recordLastUsed).toEqual([]);
  });
});

describe('requireTenantAdmin', () => {
  it.each(['viewer', 'creator'] as const)('forbids a %s key (403)', async (role) => {
    const key = issue(role);
    const { store } = fakeStore([key.record]);
    const error = await refusal(requireTenantAdmin(bearer(key.plaintext), deps(store)));
    expect(error.status).toBe(403);
  });

  it('accepts a person in Admins with a tenant, and no one else', async () => {
    const { store } = fakeStore([]);
    const token = 'aaa.bbb.ccc';
    const person = (groups: string[], tenantId?: string) =>
      deps(store, {
        verifyPerson: async () => ({ userId: 'usr_1', groups, ...(tenantId ? { tenantId } : {}) }),
      });

    await expect(requireTenantAdmin(bearer(token), person(['Admins'], TENANT))).resolves.toMatchObject({
      kind: 'person',
      tenantId: TENANT,
      role: 'admin',
      actorId: 'usr_1',
    });
    expect((await refusal(requireTenantAdmin(bearer(token), person(['Viewers'], TENANT)))).status).toBe(403);
    expect((await refusal(requireTenantAdmin(bearer(token), person(['Admins'])))).status).toBe(403);
  });

  it("goes by the person's user item: suspended, removed or moved to another tenant is 401, a group taken away is 403", async () => {
    const { store } = fakeStore([]);
    const token = 'aaa.bbb.ccc';
    const admin = async () => ({ userId: 'usr_1', groups: ['Admins'], tenantId: TENANT });
    const asUser = (user: Partial<UserRecord> | null) =>
      deps(store, { verifyPerson: admin, users: fakeUsers({ usr_1: user }) });

    for (const user of [
      { status: 'suspended' as const },
      null,
      { tenantId: 'ten_01JXOTHER0000000000000000' },
    ]) {
      const error = await refusal(requireTenantAdmin(bearer(token), asUser(user)));
      expect(error).toMatchObject({ status: 401, message: INVALID_CREDENTIALS });
    }
    const demoted = await refusal(requireTenantAdmin(bearer(token), asUser({ groups: [] })));
    expect(demoted.status).toBe(403);
    await expect(resolveCaller(bearer(token), asUser({ groups: ['Viewers'] }))).resolves.toMatchObject({
      groups: [],
      role: undefined,
    });
  });

  it('answers an invalid person token 401, but lets a configuration error surface as a bug', async () => {
    const { store } = fakeStore([]);
    const invalid = await refusal(requireTenantAdmin(bearer('aaa.bbb.ccc'), deps(store)));
    expect(invalid).toMatchObject({ status: 401, message: INVALID_CREDENTIALS });

    const misconfigured = deps(store, {
      verifyPerson: async () => {
        throw new ConfigError(['ISSUER_URL'], []);
      },
    });
    await expect(requireTenantAdmin(bearer('aaa.bbb.ccc'), misconfigured)).rejects.toBeInstanceOf(
      ConfigError,
    );
  });
});

describe('requireOperator', () => {
  const event = (authorizer?: unknown) =>
    ({ requestContext: { ...(authorizer ? { authorizer } : {}) } }) as unknown as APIGatewayProxyEventV2;

  it("returns the gateway's IAM principal", () => {
    const iam = { accessKey: 'AKIA1', userArn: 'arn:aws:iam::1:user/op' };
    expect(requireOperator(event({ iam }))).toEqual(iam);
  });

  it('refuses a request without the IAM context, or with a JWT context only (403)', () => {
    for (const e of [event(), event({ jwt: { claims: {} } }), event({ iam: {} })]) {
      expect(() => requireOperator(e)).toThrow(expect.objectContaining({ status: 403 }));
    }
  });
});
